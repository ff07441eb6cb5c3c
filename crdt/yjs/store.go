package yjs

import (
	"slices"
	"sort"
)

// clientStructs holds the structs of one client, ordered by clock, without gaps from clock 0.
type clientStructs struct {
	blocks []*block
}

// store is the struct store of a Doc (yjs StructStore).
type store struct {
	clients map[uint64]*clientStructs
	order   []uint64 // clients in insertion order (JS Map order)
}

func (s *store) state(client uint64) uint64 {
	cs := s.clients[client]
	if cs == nil {
		return 0
	}
	return cs.blocks[len(cs.blocks)-1].end()
}

// stateVector returns the state of every client (yjs getStateVector).
func (s *store) stateVector() StateVector {
	sv := make(StateVector, len(s.clients))
	for c, cs := range s.clients {
		sv[c] = cs.blocks[len(cs.blocks)-1].end()
	}
	return sv
}

// addStruct appends a struct; the caller guarantees it starts at the client's state.
func (s *store) addStruct(b *block) {
	cs := s.clients[b.id.Client]
	if cs == nil {
		cs = &clientStructs{}
		if s.clients == nil {
			s.clients = make(map[uint64]*clientStructs)
		}
		s.clients[b.id.Client] = cs
		s.order = append(s.order, b.id.Client)
	}
	cs.blocks = append(cs.blocks, b)
}

// findIndex returns the index of the struct that contains clock (clock < state of the client).
func findIndex(blocks []*block, clock uint64) int {
	return sort.Search(len(blocks), func(i int) bool { return blocks[i].end() > clock })
}

// find returns the struct that contains id.
func (s *store) find(id ID) *block {
	cs := s.clients[id.Client]
	return cs.blocks[findIndex(cs.blocks, id.Clock)]
}

func (cs *clientStructs) insert(i int, b *block) {
	cs.blocks = slices.Insert(cs.blocks, i, b)
}

// findIndexCleanStart returns the index of the struct starting at clock, splitting an item if needed.
func (tr *transaction) findIndexCleanStart(cs *clientStructs, clock uint64) int {
	i := findIndex(cs.blocks, clock)
	b := cs.blocks[i]
	if b.id.Clock < clock && b.kind == kindItem {
		cs.insert(i+1, tr.splitItem(b, clock-b.id.Clock))
		return i + 1
	}
	return i
}

// itemCleanStart returns the struct that starts at id (yjs getItemCleanStart).
func (tr *transaction) itemCleanStart(id ID) *block {
	cs := tr.doc.store.clients[id.Client]
	return cs.blocks[tr.findIndexCleanStart(cs, id.Clock)]
}

// itemCleanEnd returns the struct that ends at id, splitting an item if needed (yjs getItemCleanEnd).
func (tr *transaction) itemCleanEnd(id ID) *block {
	cs := tr.doc.store.clients[id.Client]
	i := findIndex(cs.blocks, id.Clock)
	b := cs.blocks[i]
	if id.Clock != b.end()-1 && b.kind != kindGC {
		cs.insert(i+1, tr.splitItem(b, id.Clock-b.id.Clock+1))
	}
	return b
}

// replaceStruct puts a GC in place of a garbage-collected item.
func (s *store) replaceStruct(old, repl *block) {
	cs := s.clients[old.id.Client]
	cs.blocks[findIndex(cs.blocks, old.id.Clock)] = repl
}

// splitItem splits left at diff and returns the right part, linked after left (yjs splitItem).
func (tr *transaction) splitItem(left *block, diff uint64) *block {
	right := newItem(ID{left.id.Client, left.id.Clock + diff}, left.content.splice(diff))
	right.left = left
	right.hasOrigin, right.origin = true, ID{left.id.Client, left.id.Clock + diff - 1}
	right.right = left.right
	right.hasRightOrigin, right.rightOrigin = left.hasRightOrigin, left.rightOrigin
	right.parent = left.parent
	right.parentKind, right.parentID, right.parentRoot = left.parentKind, left.parentID, left.parentRoot
	right.hasParentSub, right.parentSub = left.hasParentSub, left.parentSub
	if left.deleted() {
		right.flags |= flagDeleted
	}
	right.flags |= left.flags & flagKeep
	left.right = right
	if right.right != nil {
		right.right.left = right
	}
	tr.mergeStructs = append(tr.mergeStructs, right)
	if right.hasParentSub && right.right == nil && right.parent != nil {
		right.parent.setMapEntry(right.parentSub, right)
	}
	left.length = diff
	return right
}
