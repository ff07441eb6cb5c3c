package yjs

import "sort"

// transaction is one application of an update to a Doc (yjs Transaction + readUpdateV2 +
// cleanupTransactions, without events).
type transaction struct {
	doc          *Doc
	ds           deleteSet
	beforeState  StateVector
	mergeStructs []*block
}

// pendingStructs are structs that wait for missing dependencies (yjs store.pendingStructs).
type pendingStructs struct {
	missing map[uint64]uint64 // client -> lowest missing clock
	update  []byte            // V1 update holding the structs
}

// structRefs is a client's list of structs still to integrate (yjs clientsStructRefs entry).
type structRefs struct {
	i    int
	refs []*block
}

// apply is the body of yjs readUpdateV2.
func (tr *transaction) apply(u *decodedUpdate) {
	doc := tr.doc
	retry := false
	rest := tr.integrateStructs(u)
	if p := doc.pending; p != nil {
		for client, clock := range p.missing {
			if clock < doc.store.state(client) {
				retry = true
				break
			}
		}
		if rest != nil {
			for c, k := range rest.missing {
				if m, ok := p.missing[c]; !ok || m > k {
					p.missing[c] = k
				}
			}
			p.update = mustMerge(p.update, rest.update)
		}
	} else {
		doc.pending = rest
	}
	dsRest := tr.applyDeleteSet(u.ds)
	if doc.pendingDs != nil {
		pds := mustDecode(doc.pendingDs)
		dsRest2 := tr.applyDeleteSet(pds.ds)
		if dsRest != nil && dsRest2 != nil {
			doc.pendingDs = mustMerge(dsRest, dsRest2)
		} else if dsRest != nil {
			doc.pendingDs = dsRest
		} else {
			doc.pendingDs = dsRest2
		}
	} else {
		doc.pendingDs = dsRest
	}
	if retry {
		upd := doc.pending.update
		doc.pending = nil
		tr.apply(mustDecode(upd))
	}
}

// mustDecode decodes an update this package produced itself (pending structs and deletes).
func mustDecode(update []byte) *decodedUpdate {
	u, err := decodeUpdate(update)
	if err != nil {
		panic("yjs: internal update does not decode: " + err.Error())
	}
	return u
}

func mustMerge(a, b []byte) []byte {
	return mergeDecoded([]*decodedUpdate{mustDecode(a), mustDecode(b)})
}

// integrateStructs integrates the structs of an update in causal order and returns the structs
// whose dependencies are missing (yjs integrateStructs).
func (tr *transaction) integrateStructs(u *decodedUpdate) *pendingStructs {
	doc := tr.doc
	refsByClient := make(map[uint64]*structRefs, len(u.sections))
	for _, sec := range u.sections {
		refsByClient[sec.client] = &structRefs{refs: sec.blocks}
	}
	ids := make([]uint64, 0, len(refsByClient))
	for c := range refsByClient {
		ids = append(ids, c)
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })

	nextTarget := func() *structRefs {
		for len(ids) > 0 {
			t := refsByClient[ids[len(ids)-1]]
			if t.i < len(t.refs) {
				return t
			}
			ids = ids[:len(ids)-1]
		}
		return nil
	}
	cur := nextTarget()
	if cur == nil {
		return nil
	}
	rest := make(map[uint64][]*block)
	var restOrder []uint64
	missingSV := make(map[uint64]uint64)
	updateMissing := func(client, clock uint64) {
		if m, ok := missingSV[client]; !ok || m > clock {
			missingSV[client] = clock
		}
	}
	var stack []*block
	state := make(map[uint64]uint64)
	addStackToRest := func() {
		for _, item := range stack {
			client := item.id.Client
			if refs := refsByClient[client]; refs != nil {
				refs.i--
				if _, ok := rest[client]; !ok {
					restOrder = append(restOrder, client)
				}
				rest[client] = refs.refs[refs.i:]
				delete(refsByClient, client)
				refs.i = 0
				refs.refs = nil
			} else {
				if _, ok := rest[client]; !ok {
					restOrder = append(restOrder, client)
				}
				rest[client] = []*block{item}
			}
			kept := ids[:0]
			for _, c := range ids {
				if c != client {
					kept = append(kept, c)
				}
			}
			ids = kept
		}
		stack = stack[:0]
	}

	head := cur.refs[cur.i]
	cur.i++
	for {
		if head.kind != kindSkip {
			local, ok := state[head.id.Client]
			if !ok {
				local = doc.store.state(head.id.Client)
				state[head.id.Client] = local
			}
			if local < head.id.Clock {
				// an earlier update of the same client is missing
				stack = append(stack, head)
				updateMissing(head.id.Client, head.id.Clock-1)
				addStackToRest()
			} else if head.kind == kindItem {
				if missing, isMissing := tr.missingDependency(head); isMissing {
					stack = append(stack, head)
					refs := refsByClient[missing]
					if refs == nil || refs.i == len(refs.refs) {
						updateMissing(missing, doc.store.state(missing))
						addStackToRest()
					} else {
						head = refs.refs[refs.i]
						refs.i++
						continue
					}
				} else if offset := local - head.id.Clock; offset == 0 || offset < head.length {
					tr.integrate(head, offset)
					state[head.id.Client] = head.id.Clock + head.length
				}
			} else if offset := local - head.id.Clock; offset == 0 || offset < head.length {
				tr.integrate(head, offset)
				state[head.id.Client] = head.id.Clock + head.length
			}
		}
		switch {
		case len(stack) > 0:
			head = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case cur != nil && cur.i < len(cur.refs):
			head = cur.refs[cur.i]
			cur.i++
		default:
			cur = nextTarget()
			if cur == nil {
				goto done
			}
			head = cur.refs[cur.i]
			cur.i++
		}
	}
done:
	if len(rest) == 0 {
		return nil
	}
	// write the rest like writeClientsStructs(encoder, restStructs, new Map()): clients descending
	sort.Slice(restOrder, func(i, j int) bool { return restOrder[i] > restOrder[j] })
	out := appendVarUint(nil, uint64(len(restOrder)))
	for _, c := range restOrder {
		blocks := rest[c]
		out = appendVarUint(out, uint64(len(blocks)))
		out = appendVarUint(out, c)
		out = appendVarUint(out, blocks[0].id.Clock)
		for _, b := range blocks {
			out = b.appendTo(out, 0)
		}
	}
	out = append(out, 0) // empty delete set
	return &pendingStructs{missing: missingSV, update: out}
}

// applyDeleteSet deletes the ranges of ds that are known and returns the rest as an update
// without structs (nil if everything applied) (yjs readAndApplyDeleteSet).
func (tr *transaction) applyDeleteSet(ds deleteSet) []byte {
	var unapplied deleteSet
	s := &tr.doc.store
	for _, client := range ds.order {
		cs := s.clients[client]
		state := s.state(client)
		for _, r := range ds.clients[client] {
			clock, clockEnd := r.clock, r.clock+r.len
			if clock >= state {
				unapplied.add(client, clock, clockEnd-clock)
				continue
			}
			if state < clockEnd {
				unapplied.add(client, state, clockEnd-state)
			}
			i := findIndex(cs.blocks, clock)
			b := cs.blocks[i]
			if !b.deleted() && b.id.Clock < clock {
				cs.insert(i+1, tr.splitItem(b, clock-b.id.Clock))
				i++
			}
			for i < len(cs.blocks) {
				b = cs.blocks[i]
				i++
				if b.id.Clock >= clockEnd {
					break
				}
				if !b.deleted() {
					if clockEnd < b.end() {
						cs.insert(i, tr.splitItem(b, clockEnd-b.id.Clock))
					}
					tr.deleteItem(b)
				}
			}
		}
	}
	if unapplied.empty() {
		return nil
	}
	return unapplied.appendTo([]byte{0})
}

// cleanup garbage-collects deleted content and merges structs (the finally block of yjs
// cleanupTransactions, with gc enabled).
func (tr *transaction) cleanup() {
	s := &tr.doc.store
	tr.ds.sortAndMerge()
	afterOrder := s.order
	// tryGcDeleteSet
	for _, client := range tr.ds.order {
		cs := s.clients[client]
		dels := tr.ds.clients[client]
		for di := len(dels) - 1; di >= 0; di-- {
			d := dels[di]
			end := d.clock + d.len
			for si := findIndex(cs.blocks, d.clock); si < len(cs.blocks) && cs.blocks[si].id.Clock < end; si++ {
				b := cs.blocks[si]
				if b.kind == kindItem && b.deleted() && b.flags&flagKeep == 0 {
					tr.gcItem(b, false)
				}
			}
		}
	}
	// tryMergeDeleteSet
	for _, client := range tr.ds.order {
		cs := s.clients[client]
		dels := tr.ds.clients[client]
		for di := len(dels) - 1; di >= 0; di-- {
			d := dels[di]
			si := min(len(cs.blocks)-1, 1+findIndex(cs.blocks, d.clock+d.len-1))
			for si > 0 && cs.blocks[si].id.Clock >= d.clock {
				si -= 1 + tr.mergeWithLefts(cs, si)
			}
		}
	}
	// merge the structs that were added by this transaction
	for _, client := range afterOrder {
		cs := s.clients[client]
		before := tr.beforeState[client]
		if before == cs.blocks[len(cs.blocks)-1].end() {
			continue
		}
		first := 1
		if before > 0 {
			first = max(findIndex(cs.blocks, before), 1)
		}
		for i := len(cs.blocks) - 1; i >= first; {
			i -= 1 + tr.mergeWithLefts(cs, i)
		}
	}
	// merge the structs that were split
	for i := len(tr.mergeStructs) - 1; i >= 0; i-- {
		id := tr.mergeStructs[i].id
		cs := s.clients[id.Client]
		pos := findIndex(cs.blocks, id.Clock)
		if pos+1 < len(cs.blocks) && tr.mergeWithLefts(cs, pos+1) > 1 {
			continue
		}
		if pos > 0 {
			tr.mergeWithLefts(cs, pos)
		}
	}
}

// mergeWithLefts merges the struct at pos into its left neighbours as far as possible and returns
// how many structs were merged away (yjs tryToMergeWithLefts).
func (tr *transaction) mergeWithLefts(cs *clientStructs, pos int) int {
	blocks := cs.blocks
	i := pos
	for ; i > 0; i-- {
		left, right := blocks[i-1], blocks[i]
		if left.deleted() != right.deleted() || left.kind != right.kind || !tr.mergeWithRight(left, right) {
			break
		}
		if right.kind == kindItem && right.hasParentSub && right.parent != nil && right.parent.m[right.parentSub] == right {
			right.parent.m[right.parentSub] = left
		}
	}
	merged := pos - i
	if merged > 0 {
		cs.blocks = append(blocks[:pos+1-merged], blocks[pos+1:]...)
	}
	return merged
}
