package yjs

import (
	"bytes"
	"fmt"
)

// MergeUpdates merges V1 updates into one V1 update, byte for byte like yjs's mergeUpdates:
// overlapping structs are written once, gaps between structs of a client become Skip structs and
// the delete sets are merged. Updates may come in any order and may miss dependencies.
// A single update is validated and returned as a copy (yjs returns it unchanged).
func MergeUpdates(updates [][]byte) ([]byte, error) {
	decoded := make([]*decodedUpdate, len(updates))
	for i, u := range updates {
		d, err := decodeUpdate(u)
		if err != nil {
			return nil, fmt.Errorf("update %d: %w", i, err)
		}
		decoded[i] = d
	}
	if len(updates) == 1 {
		return bytes.Clone(updates[0]), nil
	}
	return mergeDecoded(decoded), nil
}

// mergeDecoded is the body of yjs mergeUpdatesV2. currWrite is the struct held back until it is
// known whether the next struct of the same client merges into it.
func mergeDecoded(updates []*decodedUpdate) []byte {
	readers := make([]*lazyReader, len(updates))
	for i, u := range updates {
		readers[i] = newLazyReader(u, true)
	}
	var w lazyWriter
	var currWrite *block

	cmp := func(a, b *lazyReader) int {
		x, y := a.curr, b.curr
		if x.id.Client == y.id.Client {
			if x.id.Clock == y.id.Clock {
				if x.kind == y.kind {
					return 0
				}
				if x.kind == kindSkip {
					return 1
				}
				return -1
			}
			if x.id.Clock < y.id.Clock {
				return -1
			}
			return 1
		}
		if y.id.Client < x.id.Client {
			return -1
		}
		return 1
	}

	for {
		live := readers[:0]
		for _, r := range readers {
			if r.curr != nil {
				live = append(live, r)
			}
		}
		readers = live
		v8Sort(readers, cmp)
		if len(readers) == 0 {
			break
		}
		currDecoder := readers[0]
		firstClient := currDecoder.curr.id.Client

		if currWrite != nil {
			curr := currDecoder.curr
			iterated := false
			for curr != nil && curr.end() <= currWrite.end() && curr.id.Client >= currWrite.id.Client {
				curr = currDecoder.next()
				iterated = true
			}
			if curr == nil || curr.id.Client != firstClient || (iterated && curr.id.Clock > currWrite.end()) {
				continue
			}
			if firstClient != currWrite.id.Client {
				w.write(currWrite, 0)
				currWrite = curr
				currDecoder.next()
			} else if currWrite.end() < curr.id.Clock {
				if currWrite.kind == kindSkip {
					currWrite.length = curr.end() - currWrite.id.Clock
				} else {
					w.write(currWrite, 0)
					diff := curr.id.Clock - currWrite.end()
					currWrite = &block{id: ID{firstClient, currWrite.end()}, length: diff, kind: kindSkip}
				}
			} else {
				diff := currWrite.end() - curr.id.Clock
				if diff > 0 {
					if currWrite.kind == kindSkip {
						currWrite.length -= diff
					} else {
						curr = curr.sliceFrom(diff)
					}
				}
				if !mergeLazy(currWrite, curr) {
					w.write(currWrite, 0)
					currWrite = curr
					currDecoder.next()
				}
			}
		} else {
			currWrite = currDecoder.curr
			currDecoder.next()
		}
		for next := currDecoder.curr; next != nil && next.id.Client == firstClient &&
			next.id.Clock == currWrite.end() && next.kind != kindSkip; next = currDecoder.next() {
			w.write(currWrite, 0)
			currWrite = next
		}
	}
	if currWrite != nil {
		w.write(currWrite, 0)
	}
	out := w.finish(nil)
	dss := make([]deleteSet, len(updates))
	for i, u := range updates {
		dss[i] = u.ds
	}
	ds := mergeDeleteSets(dss)
	return ds.appendTo(out)
}

// mergeLazy is struct.mergeWith for structs read by a LazyStructReader: GC merges with GC and
// Skip with Skip; items never merge there (their right neighbour is unknown).
func mergeLazy(left, right *block) bool {
	if left.kind == kindItem || left.kind != right.kind {
		return false
	}
	left.length += right.length
	return true
}
