package crdt

import "slices"

// mutation is the state of one open Doc.Mutate: the ops it emitted and how
// to undo each change if fn fails.
type mutation struct {
	ops     []Op
	inverse []Op // inverse[i] undoes ops[i]
	undo    []func()
	clock0  int64
}

// Mutate runs fn on the root LiveObject and returns the ops the local
// mutations inside it emitted, in order. Each local mutation ticks the
// document clock once and stamps its op with the new value, so on a fresh
// document "set newKey" then two list pushes give clocks 1, 2, 3 and
// positions "V", "k", leaving the clock at 3.
//
// If fn returns an error (or panics), every change fn made to the document
// is rolled back, the clock is restored, no ops are returned, and the error
// is returned (the panic re-raised). Changes to nodes that were never
// attached are not rolled back. The server broadcasts the returned ops in
// one storage:ops message with "clock": d.Clock(); a client model sends
// them in one message, as the stock client does for a batch.
//
// The root must be a LiveObject (ErrRootNotObject otherwise). Mutate
// cannot nest, and fn must not call ApplyRemote, Sequence or ApplySnapshot
// on d.
func (d *Doc) Mutate(fn func(root *Object) error) (ops []Op, err error) {
	ops, _, err = d.MutateWithInverse(fn)
	return ops, err
}

// MutateWithInverse is Mutate that also returns the ops that undo the
// mutation, in the order to apply them (last change first), built as the
// stock client captures them for its undo history: a set of an existing
// field or entry is undone by a set of the old value with the old clock, a
// set of a new one by a delete with clock 0, a LiveMap delete by a set of
// the old value, a list insert by a list-delete, a list delete by a
// list-insert of the same position and value, and a move by the reverse
// move (inverse clocks other than old field clocks are 0; ApplyLocalOps
// re-stamps them). See History.
func (d *Doc) MutateWithInverse(fn func(root *Object) error) (ops, inverse []Op, err error) {
	if d.mut != nil {
		return nil, nil, ErrNestedMutate
	}
	root, ok := d.root.(*Object)
	if !ok {
		return nil, nil, ErrRootNotObject
	}
	m := &mutation{clock0: d.clock}
	d.mut = m
	done := false
	defer func() {
		d.mut = nil
		if !done {
			m.rollback(d)
		}
	}()
	if err := fn(root); err != nil {
		return nil, nil, err
	}
	done = true
	slices.Reverse(m.inverse)
	return m.ops, m.inverse, nil
}

func (m *mutation) rollback(d *Doc) {
	for _, u := range slices.Backward(m.undo) {
		u()
	}
	d.clock = m.clock0
}

// checkMutating returns the document a local change belongs to: nil for a
// detached node (changed freely, no op), or ErrNotMutating when an
// attached node is changed outside Mutate.
func (d *Doc) checkMutating() (*Doc, error) {
	if d == nil {
		return nil, nil
	}
	if d.mut == nil {
		return nil, ErrNotMutating
	}
	return d, nil
}

func (d *Doc) onUndo(fn func()) {
	if d != nil {
		d.mut.undo = append(d.mut.undo, fn)
	}
}

// emit records a local op on node n and the op that undoes it (B.2.8):
// both get n's current path; the op is marked as carrying a valid value.
func (d *Doc) emit(n node, op, inv Op) {
	if d == nil {
		return
	}
	p := path(n)
	op.Path, inv.Path = p, p
	op.markChecked()
	inv.markChecked()
	d.mut.ops = append(d.mut.ops, op)
	d.mut.inverse = append(d.mut.inverse, inv)
}
