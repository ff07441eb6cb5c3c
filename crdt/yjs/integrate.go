package yjs

// This file ports yjs's Item.getMissing, Item.integrate (the YATA conflict resolution),
// Item.delete, Item.gc and Item.mergeWith. Hostile updates that would make yjs throw are handled
// without panicking: an item whose neighbours or parent are gone is integrated as a GC struct.

// missingDependency returns the client of a dependency that is not yet in the store. When all
// dependencies are present it resolves the item's neighbours and parent (yjs getMissing).

func (tr *transaction) missingDependency(it *block) (uint64, bool) {
	s := &tr.doc.store
	if it.hasOrigin && it.origin.Client != it.id.Client && it.origin.Clock >= s.state(it.origin.Client) {
		return it.origin.Client, true
	}
	if it.hasRightOrigin && it.rightOrigin.Client != it.id.Client && it.rightOrigin.Clock >= s.state(it.rightOrigin.Client) {
		return it.rightOrigin.Client, true
	}
	if it.parentKind == parentItem && it.parentID.Client != it.id.Client && it.parentID.Clock >= s.state(it.parentID.Client) {
		return it.parentID.Client, true
	}
	if it.hasOrigin {
		it.left = tr.itemCleanEnd(it.origin)
		if it.left.kind == kindItem {
			it.origin = it.left.lastID()
		}
	}
	if it.hasRightOrigin {
		it.right = tr.itemCleanStart(it.rightOrigin)
		it.rightOrigin = it.right.id
	}
	switch {
	case (it.left != nil && it.left.kind != kindItem) || (it.right != nil && it.right.kind != kindItem):
		it.parent = nil
	case it.parentKind == parentNone:
		if it.left != nil {
			it.parent, it.hasParentSub, it.parentSub = it.left.parent, it.left.hasParentSub, it.left.parentSub
		} else if it.right != nil {
			it.parent, it.hasParentSub, it.parentSub = it.right.parent, it.right.hasParentSub, it.right.parentSub
		}
	case it.parentKind == parentItem:
		it.parent = nil
		if p := s.find(it.parentID); p.kind == kindItem {
			if ct, ok := p.content.(*contentType); ok {
				it.parent = ct.typ
			}
		}
	default:
		it.parent = tr.doc.root(it.parentRoot)
	}
	return 0, false
}

// compareIDs is yjs compareIDs for optional ids.
func compareIDs(hasA bool, a ID, hasB bool, b ID) bool {
	return hasA == hasB && (!hasA || a == b)
}

// integrate adds a struct to the document, skipping the first offset units that are already known.
func (tr *transaction) integrate(it *block, offset uint64) {
	s := &tr.doc.store
	if it.kind == kindGC {
		if offset > 0 {
			it.id.Clock += offset
			it.length -= offset
		}
		s.addStruct(it)
		return
	}
	if offset > 0 {
		it.id.Clock += offset
		it.left = tr.itemCleanEnd(ID{it.id.Client, it.id.Clock - 1})
		if it.left.kind == kindItem {
			it.hasOrigin, it.origin = true, it.left.lastID()
		} else {
			it.parent = nil // the left part was garbage collected: so is this one
		}
		it.content = it.content.sliceFrom(offset)
		it.length -= offset
	}
	p := it.parent
	if p == nil || (it.left != nil && it.left.kind != kindItem) || (it.right != nil && it.right.kind != kindItem) {
		s.addStruct(&block{id: it.id, length: it.length, kind: kindGC})
		return
	}
	if (it.left == nil && (it.right == nil || it.right.left != nil)) || (it.left != nil && it.left.right != it.right) {
		tr.resolveConflicts(it)
	}
	if it.left != nil {
		it.right = it.left.right
		it.left.right = it
	} else {
		var r *block
		if it.hasParentSub {
			r = p.m[it.parentSub]
			for r != nil && r.left != nil {
				r = r.left
			}
		} else {
			r = p.start
			p.start = it
		}
		it.right = r
	}
	if it.right != nil {
		it.right.left = it
	} else if it.hasParentSub {
		p.setMapEntry(it.parentSub, it)
		if it.left != nil {
			tr.deleteItem(it.left) // the previous value of the key
		}
	}
	if !it.hasParentSub && it.countable() && !it.deleted() {
		p.length += it.length
	}
	s.addStruct(it)
	switch c := it.content.(type) {
	case *contentType:
		c.typ = newYType()
		c.typ.item, c.typ.typeRef = it, c.typeRef
	case *contentDeleted:
		tr.ds.add(it.id.Client, it.id.Clock, c.n)
		it.flags |= flagDeleted
	}
	if (p.item != nil && p.item.deleted()) || (it.hasParentSub && it.right != nil) {
		tr.deleteItem(it)
	}
}

// resolveConflicts finds the left neighbour of a concurrently inserted item (YATA).
func (tr *transaction) resolveConflicts(it *block) {
	p := it.parent
	left := it.left
	var o *block
	switch {
	case left != nil:
		o = left.right
	case it.hasParentSub:
		o = p.m[it.parentSub]
		for o != nil && o.left != nil {
			o = o.left
		}
	default:
		o = p.start
	}
	if o == nil || o == it.right {
		it.left = left
		return
	}
	conflicting := map[*block]struct{}{}
	beforeOrigin := map[*block]struct{}{}
	for o != nil && o != it.right {
		beforeOrigin[o] = struct{}{}
		conflicting[o] = struct{}{}
		if compareIDs(it.hasOrigin, it.origin, o.hasOrigin, o.origin) {
			if o.id.Client < it.id.Client {
				left = o
				clear(conflicting)
			} else if compareIDs(it.hasRightOrigin, it.rightOrigin, o.hasRightOrigin, o.rightOrigin) {
				break
			}
		} else if o.hasOrigin {
			oo := tr.doc.store.find(o.origin)
			if _, ok := beforeOrigin[oo]; !ok {
				break
			}
			if _, ok := conflicting[oo]; !ok {
				left = o
				clear(conflicting)
			}
		} else {
			break
		}
		o = o.right
	}
	it.left = left
}

// deleteItem marks an item deleted, records it in the transaction and deletes the content of a
// deleted type (yjs Item.delete).
func (tr *transaction) deleteItem(it *block) {
	if it.kind != kindItem || it.deleted() {
		return
	}
	if it.countable() && !it.hasParentSub && it.parent != nil {
		it.parent.length -= it.length
	}
	it.flags |= flagDeleted
	tr.ds.add(it.id.Client, it.id.Clock, it.length)
	if ct, ok := it.content.(*contentType); ok && ct.typ != nil {
		t := ct.typ
		for item := t.start; item != nil; item = item.right {
			tr.deleteChild(item)
		}
		for _, item := range t.mapEntries() {
			tr.deleteChild(item)
		}
	}
}

func (tr *transaction) deleteChild(item *block) {
	if !item.deleted() {
		tr.deleteItem(item)
	} else if item.id.Clock < tr.beforeState[item.id.Client] {
		// gc'd later; remember it so that it can be merged with its neighbours
		tr.mergeStructs = append(tr.mergeStructs, item)
	}
}

// gcItem drops the content of a deleted item (yjs Item.gc): the item keeps its position with
// ContentDeleted, or becomes a GC struct when its parent is garbage collected as well.
func (tr *transaction) gcItem(it *block, parentGCd bool) {
	if it.kind != kindItem || !it.deleted() {
		return
	}
	if ct, ok := it.content.(*contentType); ok && ct.typ != nil {
		t := ct.typ
		for item := t.start; item != nil; item = item.right {
			tr.gcItem(item, true)
		}
		t.start = nil
		for _, item := range t.mapEntries() {
			for ; item != nil; item = item.left {
				tr.gcItem(item, true)
			}
		}
		t.m = make(map[string]*block)
		t.mkeys = nil
	}
	if parentGCd {
		tr.doc.store.replaceStruct(it, &block{id: it.id, length: it.length, kind: kindGC})
	} else {
		it.content = &contentDeleted{n: it.length}
	}
}

// mergeWithRight merges right into left when yjs would (Item.mergeWith / GC.mergeWith).
func (tr *transaction) mergeWithRight(left, right *block) bool {
	if left.kind == kindGC {
		if right.kind != kindGC {
			return false
		}
		left.length += right.length
		return true
	}
	if right.kind != kindItem ||
		!compareIDs(right.hasOrigin, right.origin, true, left.lastID()) ||
		left.right != right ||
		!compareIDs(left.hasRightOrigin, left.rightOrigin, right.hasRightOrigin, right.rightOrigin) ||
		left.id.Client != right.id.Client ||
		left.end() != right.id.Clock ||
		left.deleted() != right.deleted() ||
		left.content.ref() != right.content.ref() ||
		!left.content.mergeWith(right.content) {
		return false
	}
	left.flags |= right.flags & flagKeep
	left.right = right.right
	if left.right != nil {
		left.right.left = left
	}
	left.length += right.length
	return true
}
