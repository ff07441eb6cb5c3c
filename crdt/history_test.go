package crdt

import "testing"

func TestHistory_UndoRedoRoundTrip(t *testing.T) {
	const start = `{"type":"LiveObject","data":{"a":1,"m":{"type":"LiveMap","entries":{"x":1}},` +
		`"l":{"type":"LiveList","items":[{"position":"V","value":"p"},{"position":"k","value":"q"}]}}}`
	c := mustDoc(t, start, WithReferenceKeys())
	replica := mustDoc(t, start)
	h := NewHistory(0)
	send := func(ops []Op) {
		for i := range ops {
			replica.ApplyRemote(&ops[i])
		}
	}
	steps := []func(root *Object) error{
		func(r *Object) error { return r.Set("a", Int(2)) },
		func(r *Object) error { return r.Set("b", String("new")) },
		func(r *Object) error { return r.Get("m").(*Map).Delete("x") },
		func(r *Object) error { return r.Get("m").(*Map).Set("y", NewList()) },
		func(r *Object) error {
			l := r.Get("l").(*List)
			if err := l.Push(Int(3)); err != nil {
				return err
			}
			return l.Move(0, 2)
		},
		func(r *Object) error { return r.Get("l").(*List).Delete(0) },
	}
	var states []string
	for _, fn := range steps {
		states = append(states, docJSON(c))
		ops, inv, err := c.MutateWithInverse(fn)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv) != len(ops) {
			t.Fatalf("%d ops, %d inverse", len(ops), len(inv))
		}
		h.Record(ops, inv)
		send(ops)
	}
	final := docJSON(c)
	for i := len(steps) - 1; i >= 0; i-- {
		clock := c.Clock()
		ops := c.ApplyLocalOps(h.Undo())
		for j, op := range ops {
			if op.Clock != clock+int64(j)+1 {
				t.Errorf("undo op clock %d", op.Clock)
			}
		}
		send(ops)
		if got := docJSON(c); !c.Equal(mustDoc(t, states[i])) {
			t.Fatalf("undo %d:\n got %s\nwant %s", i, got, states[i])
		}
		if !replica.Equal(c) {
			t.Fatalf("undo %d: replica %s", i, docJSON(replica))
		}
	}
	if h.CanUndo() || h.Undo() != nil {
		t.Error("undo stack not empty")
	}
	for range steps {
		send(c.ApplyLocalOps(h.Redo()))
	}
	if !c.Equal(mustDoc(t, final)) || !replica.Equal(c) {
		t.Errorf("redo:\n got %s\nwant %s\nreplica %s", docJSON(c), final, docJSON(replica))
	}
	if h.CanRedo() || h.Redo() != nil {
		t.Error("redo stack not empty")
	}
}

func TestHistory_InverseShapes(t *testing.T) {
	d := mustDoc(t, obj(`"a":1,"l":{"type":"LiveList","items":[{"position":"V","value":1}]}`))
	remote(t, d, set("[]", "a", "5", 7)) // field clock 7, doc clock 8
	_, inv, err := d.MutateWithInverse(func(r *Object) error {
		if err := r.Set("a", Int(2)); err != nil {
			return err
		}
		if err := r.Set("n", Int(3)); err != nil {
			return err
		}
		l := r.Get("l").(*List)
		if err := l.Push(Int(4)); err != nil {
			return err
		}
		return l.Move(0, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type":"list-move","path":["l"],"fromPosition":"s","toPosition":"V","clock":0},` +
		`{"type":"list-delete","path":["l"],"position":"k","clock":0},` +
		`{"type":"delete","path":[],"key":"n","clock":0},` +
		`{"type":"set","path":[],"key":"a","value":5,"clock":7}]`
	if got := opsJSON(inv); got != want {
		t.Errorf("inverse\n got %s\nwant %s", got, want)
	}
}

func TestHistory_Limits(t *testing.T) {
	h := NewHistory(2)
	op := []Op{{Kind: OpDelete, Key: "k"}}
	h.Record(nil, nil) // ignored
	if h.CanUndo() {
		t.Fatal("empty entry recorded")
	}
	for i := range 3 {
		h.Record([]Op{{Kind: OpSet, Key: "k", Value: []byte("1"), Clock: int64(i)}}, op)
	}
	h.Undo()
	h.Undo()
	if h.CanUndo() {
		t.Error("more than 2 entries kept")
	}
	if f := h.Redo(); len(f) != 1 || f[0].Clock != 1 {
		t.Errorf("oldest kept entry is %v", f)
	}
	h.Record(op, op)
	if h.CanRedo() {
		t.Error("Record did not clear redo")
	}
	d := NewDoc()
	var got []Op
	_, _ = d.Mutate(func(*Object) error { got = d.ApplyLocalOps(op); return nil })
	if got != nil {
		t.Error("ApplyLocalOps inside Mutate")
	}
}
