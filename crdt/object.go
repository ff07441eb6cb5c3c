package crdt

// Object is a LiveObject: string keys to values, each field carrying the
// clock of the op that last wrote it. A removed field leaves no tombstone.
type Object struct {
	nodeBase
	f entries
}

// NewObject returns an empty, detached LiveObject. Fill it freely, then
// attach it with Set, Push or Insert on a node of a document.
func NewObject() *Object { return &Object{} }

func (*Object) isValue() {}

// Len returns the number of fields.
func (o *Object) Len() int { return len(o.f.e) - o.f.holes }

// Keys returns the field names in insertion order.
func (o *Object) Keys() []string { return o.f.liveKeys() }

// Has reports whether the field exists.
func (o *Object) Has(key string) bool { return o.f.find(key) >= 0 }

// Get returns the field's value, or nil if there is no such field.
func (o *Object) Get(key string) Value {
	if i := o.f.find(key); i >= 0 {
		return o.f.e[i].val.value()
	}
	return nil
}

// AppendJSON appends the node serialized as {"type":"LiveObject","data":{…}}.
func (o *Object) AppendJSON(dst []byte) []byte { return o.appendJSON(dst) }

func (o *Object) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":"LiveObject","data":{`...)
	dst = o.f.appendMembers(dst)
	return append(dst, "}}"...)
}

func (o *Object) child(seg string) node { return o.f.liveChild(seg) }

func (o *Object) eachChild(fn func(node)) { o.f.eachChild(fn) }

// Set writes a field. On an attached node it must run inside Doc.Mutate:
// it ticks the document clock, applies without an LWW check (a local set
// always wins locally, as in the reference) and records a "set" op.
func (o *Object) Set(key string, v Value) error {
	d, err := o.doc.checkMutating()
	if err != nil {
		return err
	}
	s, err := prepareLocal(o, v)
	if err != nil {
		return err
	}
	clock := d.tick()
	i := o.f.find(key)
	inv := Op{Kind: OpDelete, Key: key}
	if i >= 0 {
		old := o.f.e[i]
		inv = Op{Kind: OpSet, Key: key, Value: old.val.appendJSON(nil), Clock: old.clock}
		o.f.e[i].val, o.f.e[i].clock = s, clock
		detachChild(old.val)
		d.onUndo(func() {
			detachChild(o.f.e[i].val)
			o.f.e[i] = old
			linkChild(old.val, o, key)
		})
	} else {
		o.f.add(entry{key: key, val: s, clock: clock})
		d.onUndo(func() {
			detachChild(s)
			o.f.pop()
		})
	}
	linkChild(s, o, key)
	d.emit(o, Op{Kind: OpSet, Key: key, Value: s.appendJSON(nil), Clock: clock}, inv)
	return nil
}

// Delete removes a field. The reference LiveObject has no delete method
// (its delete ops come from undo); stock clients apply the "delete" op this
// records. Deleting a missing field does nothing.
func (o *Object) Delete(key string) error {
	d, err := o.doc.checkMutating()
	if err != nil {
		return err
	}
	i := o.f.find(key)
	if i < 0 {
		return nil
	}
	clock := d.tick()
	old := o.f.e[i]
	o.f.remove(i)
	detachChild(old.val)
	d.onUndo(func() {
		o.f.unremove(i, old)
		linkChild(old.val, o, key)
	})
	d.emit(o, Op{Kind: OpDelete, Key: key, Clock: clock}, Op{Kind: OpSet, Key: key, Value: old.val.appendJSON(nil), Clock: old.clock})
	return nil
}

// applySet is a remote set: rejected if the field exists with a clock at
// or above the op's (ties lose), otherwise the value and clock replace it.
func (o *Object) applySet(op *Op) ApplyResult {
	i := o.f.find(op.Key)
	if i >= 0 && op.Clock <= o.f.e[i].clock {
		return Rejected
	}
	s, err := opSlot(op)
	if err != nil {
		return Unappliable
	}
	if i >= 0 {
		detachChild(o.f.e[i].val)
		o.f.e[i].val, o.f.e[i].clock = s, op.Clock
	} else {
		o.f.add(entry{key: op.Key, val: s, clock: op.Clock})
	}
	linkChild(s, o, op.Key)
	return Applied
}

// applyDelete is a remote delete: rejected if the field is missing or its
// clock is at or above the op's; otherwise the field is removed entirely,
// with no tombstone.
func (o *Object) applyDelete(d *Doc, op *Op) ApplyResult {
	i := o.f.find(op.Key)
	if i < 0 || op.Clock <= o.f.e[i].clock {
		return Rejected
	}
	detachChild(o.f.e[i].val)
	o.f.remove(i)
	if d.mut == nil {
		o.f.compact()
	}
	return Applied
}
