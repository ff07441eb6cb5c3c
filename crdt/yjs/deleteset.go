package yjs

import (
	"slices"
	"sort"
)

// deleteRange is a range of deleted clocks of one client.
type deleteRange struct {
	clock, len uint64
}

// deleteSet maps clients to deleted ranges. order keeps the clients in insertion order (the
// iteration order of the JS Map).
type deleteSet struct {
	clients map[uint64][]deleteRange
	order   []uint64
}

func (ds *deleteSet) add(client, clock, length uint64) {
	if ds.clients == nil {
		ds.clients = make(map[uint64][]deleteRange)
	}
	rs, ok := ds.clients[client]
	if !ok {
		ds.order = append(ds.order, client)
	}
	ds.clients[client] = append(rs, deleteRange{clock, length})
}

func (ds *deleteSet) empty() bool { return len(ds.order) == 0 }

// readDeleteSet reads a V1 delete set. Like yjs, clients without ranges are dropped and a client
// listed twice gets its ranges appended; ranges are not sorted.
func (d *decoder) readDeleteSet() (deleteSet, error) {
	var ds deleteSet
	n, err := d.readVarUint()
	if err != nil {
		return ds, err
	}
	if n > uint64(d.remaining())/2 {
		return ds, ErrUnexpectedEOF
	}
	for i := uint64(0); i < n; i++ {
		client, err := d.readSafeUint()
		if err != nil {
			return ds, err
		}
		m, err := d.readVarUint()
		if err != nil {
			return ds, err
		}
		if m > uint64(d.remaining())/2 {
			return ds, ErrUnexpectedEOF
		}
		for j := uint64(0); j < m; j++ {
			clock, err := d.readSafeUint()
			if err != nil {
				return ds, err
			}
			length, err := d.readSafeUint()
			if err != nil {
				return ds, err
			}
			ds.add(client, clock, length)
		}
	}
	return ds, nil
}

// appendTo writes the delete set with clients in descending order and ranges as stored.
func (ds *deleteSet) appendTo(dst []byte) []byte {
	clients := slices.Clone(ds.order)
	sort.Slice(clients, func(i, j int) bool { return clients[i] > clients[j] })
	dst = appendVarUint(dst, uint64(len(clients)))
	for _, c := range clients {
		rs := ds.clients[c]
		dst = appendVarUint(dst, c)
		dst = appendVarUint(dst, uint64(len(rs)))
		for _, r := range rs {
			dst = appendVarUint(dst, r.clock)
			dst = appendVarUint(dst, r.len)
		}
	}
	return dst
}

// sortAndMerge sorts each client's ranges and merges overlapping or adjacent ones (yjs sortAndMergeDeleteSet).
func (ds *deleteSet) sortAndMerge() {
	for c, dels := range ds.clients {
		sort.SliceStable(dels, func(i, j int) bool { return dels[i].clock < dels[j].clock })
		j := 1
		for i := 1; i < len(dels); i++ {
			left, right := dels[j-1], dels[i]
			if left.clock+left.len >= right.clock {
				dels[j-1] = deleteRange{left.clock, max(left.len, right.clock+right.len-left.clock)}
			} else {
				dels[j] = right
				j++
			}
		}
		if len(dels) > 0 {
			ds.clients[c] = dels[:j]
		}
	}
}

// mergeDeleteSets merges several delete sets into a fresh, sorted and merged one.
func mergeDeleteSets(dss []deleteSet) deleteSet {
	var merged deleteSet
	for i := range dss {
		for _, c := range dss[i].order {
			if _, ok := merged.clients[c]; ok {
				continue
			}
			var dels []deleteRange
			for k := i; k < len(dss); k++ {
				dels = append(dels, dss[k].clients[c]...)
			}
			if merged.clients == nil {
				merged.clients = make(map[uint64][]deleteRange)
			}
			merged.clients[c] = dels
			merged.order = append(merged.order, c)
		}
	}
	merged.sortAndMerge()
	return merged
}

// isDeleted reports whether id lies in a range of the (sorted, merged) delete set.
func (ds *deleteSet) isDeleted(id ID) bool {
	dels := ds.clients[id.Client]
	i := sort.Search(len(dels), func(i int) bool { return dels[i].clock+dels[i].len > id.Clock })
	return i < len(dels) && dels[i].clock <= id.Clock
}
