package yjs

import "fmt"

// Txn is a local transaction on a Doc: edits authored by one client id that become one update.
// It ports yjs's typeListInsertGenerics, typeListPushGenerics, typeListDelete, typeMapSet and
// typeMapDelete, so the update is what a yjs client would send for the same edits.
type Txn struct {
	tr     *transaction
	client uint64
}

// Transact runs fn as one transaction authored by client and returns the V1 update with its
// changes (nil if nothing changed), ready to be broadcast and persisted. The client id must not be
// used by any other replica (pick a random 53-bit id, like yjs does). As in yjs there is no
// rollback: when fn returns an error, the edits it made before are kept and are in the update.
// Each Txn method validates its arguments before changing anything.
func (doc *Doc) Transact(client uint64, fn func(*Txn) error) ([]byte, error) {
	if client > maxSafeInteger {
		return nil, fmt.Errorf("client id %d: %w", client, ErrIntegerOutOfRange)
	}
	tr := &transaction{doc: doc, beforeState: doc.store.stateVector()}
	err := fn(&Txn{tr: tr, client: client})
	tr.cleanup()
	return tr.encodeUpdate(), err
}

// encodeUpdate encodes the structs added by the transaction and its delete set (yjs
// writeUpdateMessageFromTransaction); nil if the transaction changed nothing.
func (tr *transaction) encodeUpdate() []byte {
	changed := false
	for c, cs := range tr.doc.store.clients {
		if cs.blocks[len(cs.blocks)-1].end() != tr.beforeState[c] {
			changed = true
			break
		}
	}
	if !changed && tr.ds.empty() {
		return nil
	}
	out := tr.doc.writeStructs(nil, tr.beforeState)
	return tr.ds.appendTo(out)
}

// newLocalItem creates an item of the transaction's client at the client's next clock.
func (tx *Txn) newLocalItem(c content, parent *ytype, left, right *block) *block {
	it := newItem(ID{tx.client, tx.tr.doc.store.state(tx.client)}, c)
	it.parent = parent
	it.left, it.right = left, right
	if left != nil {
		it.hasOrigin, it.origin = true, left.lastID()
	}
	if right != nil {
		it.hasRightOrigin, it.rightOrigin = true, right.id
	}
	return it
}

// checkListValues rejects values yjs cannot insert into a list (undefined, bigint).
func checkListValues(values []Any) error {
	for i, v := range values {
		if v.Kind == AnyUndefined || v.Kind == AnyBigInt {
			return fmt.Errorf("%w: element %d: unexpected content type %d in insert", ErrInvalidAny, i, v.Kind)
		}
	}
	return nil
}

// insertAfter inserts values after ref (nil: at the start) of list t: runs of JSON-like values
// become one ContentAny item, byte arrays ContentBinary items.
func (tx *Txn) insertAfter(t *ytype, ref *block, values []Any) {
	left := ref
	right := t.start
	if ref != nil {
		right = ref.right
	}
	var pack [][]byte
	flush := func() {
		if len(pack) > 0 {
			it := tx.newLocalItem(&contentAny{vals: pack}, t, left, right)
			tx.tr.integrate(it, 0)
			left = it
			pack = nil
		}
	}
	for _, v := range values {
		if v.Kind == AnyBytes {
			flush()
			it := tx.newLocalItem(&contentBinary{b: append([]byte{}, v.Bytes...)}, t, left, right)
			tx.tr.integrate(it, 0)
			left = it
			continue
		}
		pack = append(pack, AppendAny(nil, v))
	}
	flush()
}

// ArrayInsert inserts values at index of the root list name (yarray.insert).
func (tx *Txn) ArrayInsert(name string, index int, values ...Any) error {
	t := tx.tr.doc.root(name)
	if index < 0 || uint64(index) > t.length {
		return fmt.Errorf("%w: index %d of %q (length %d)", ErrNotFound, index, name, t.length)
	}
	if err := checkListValues(values); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	if index == 0 {
		tx.insertAfter(t, nil, values)
		return nil
	}
	idx := uint64(index)
	n := t.start
	for ; n != nil; n = n.right {
		if !n.deleted() && n.countable() {
			if idx <= n.length {
				if idx < n.length {
					tx.tr.itemCleanStart(ID{n.id.Client, n.id.Clock + idx})
				}
				break
			}
			idx -= n.length
		}
	}
	tx.insertAfter(t, n, values)
	return nil
}

// ArrayPush appends values after the last item of the root list name (yarray.push: after
// deleted trailing items too).
func (tx *Txn) ArrayPush(name string, values ...Any) error {
	t := tx.tr.doc.root(name)
	if err := checkListValues(values); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	n := t.start
	for n != nil && n.right != nil {
		n = n.right
	}
	tx.insertAfter(t, n, values)
	return nil
}

// ArrayDelete deletes length elements from index of the root list name (yarray.delete).
func (tx *Txn) ArrayDelete(name string, index, length int) error {
	t := tx.tr.doc.root(name)
	if index < 0 || length < 0 || uint64(index)+uint64(length) > t.length {
		return fmt.Errorf("%w: range [%d, %d) of %q (length %d)", ErrNotFound, index, index+length, name, t.length)
	}
	if length == 0 {
		return nil
	}
	idx, rest := uint64(index), uint64(length)
	n := t.start
	for ; n != nil && idx > 0; n = n.right {
		if !n.deleted() && n.countable() {
			if idx < n.length {
				tx.tr.itemCleanStart(ID{n.id.Client, n.id.Clock + idx})
			}
			idx -= min(idx, n.length)
		}
	}
	for rest > 0 && n != nil {
		if !n.deleted() {
			if rest < n.length {
				tx.tr.itemCleanStart(ID{n.id.Client, n.id.Clock + rest})
			}
			tx.tr.deleteItem(n)
			rest -= min(rest, n.length)
		}
		n = n.right
	}
	return nil
}

// MapSet sets key of the root map name to v (ymap.set). Byte arrays are stored as ContentBinary,
// everything else (undefined and bigint included) as ContentAny.
func (tx *Txn) MapSet(name, key string, v Any) error {
	t := tx.tr.doc.root(name)
	var c content
	if v.Kind == AnyBytes {
		c = &contentBinary{b: append([]byte{}, v.Bytes...)}
	} else {
		c = &contentAny{vals: [][]byte{AppendAny(nil, v)}}
	}
	left := t.m[key]
	it := tx.newLocalItem(c, t, left, nil)
	it.hasParentSub, it.parentSub = true, key
	tx.tr.integrate(it, 0)
	return nil
}

// MapDelete deletes key of the root map name (ymap.delete); a missing key is not an error.
func (tx *Txn) MapDelete(name, key string) {
	if t := tx.tr.doc.share[name]; t != nil {
		if b := t.m[key]; b != nil {
			tx.tr.deleteItem(b)
		}
	}
}
