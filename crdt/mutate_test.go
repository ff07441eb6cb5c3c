package crdt

import (
	"errors"
	"strings"
	"testing"
)

// TestMutate_ProtocolExample is B.1.10: on a freshly loaded doc, set newKey
// then two list pushes give clocks 1,2,3, positions "V","k", doc clock 3.
func TestMutate_ProtocolExample(t *testing.T) {
	d := mustDoc(t, obj(`"count":0,"items":{"type":"LiveList","items":[]}`))
	ops := mutate(t, d, func(root *Object) error {
		if err := root.Set("newKey", String("hello")); err != nil {
			return err
		}
		items := root.Get("items").(*List)
		if err := items.Push(Int(1)); err != nil {
			return err
		}
		return items.Push(Int(2))
	})
	want := `[{"type":"set","path":[],"key":"newKey","value":"hello","clock":1},` +
		`{"type":"list-insert","path":["items"],"position":"V","value":1,"clock":2},` +
		`{"type":"list-insert","path":["items"],"position":"k","value":2,"clock":3}]`
	if got := opsJSON(ops); got != want {
		t.Errorf("ops\n got %s\nwant %s", got, want)
	}
	if d.Clock() != 3 {
		t.Errorf("clock %d", d.Clock())
	}
}

// TestMutate_OpsReplayOnReplica checks that the emitted ops rebuild the
// same document on a replica loaded from the same snapshot.
func TestMutate_OpsReplayOnReplica(t *testing.T) {
	const start = `{"type":"LiveObject","data":{"m":{"type":"LiveMap","entries":{"x":1}},"l":{"type":"LiveList","items":[]}}}`
	for _, ref := range []bool{false, true} {
		var opts []Option
		if ref {
			opts = append(opts, WithReferenceKeys())
		}
		d := mustDoc(t, start, opts...)
		replica := mustDoc(t, start)
		ops := mutate(t, d, func(root *Object) error {
			m := root.Get("m").(*Map)
			l := root.Get("l").(*List)
			todo := NewObject()
			tags := NewList()
			must(t, tags.Push(String("a")))
			must(t, todo.Set("tags", tags))
			must(t, todo.Set("done", Bool(false)))
			must(t, l.Push(todo))
			must(t, l.Insert(0, Int(0)))
			must(t, l.Push(Int(2)))
			must(t, l.Move(0, 5))
			must(t, tags.Push(String("b")))                     // path ["l", pos, "tags"]
			must(t, l.Get(0).(*Object).Set("done", Bool(true))) // the todo, moved to front
			must(t, m.Delete("x"))
			must(t, m.Set("y", Raw(`{"type":"LiveObject","data":{}}`))) // becomes a node
			must(t, m.Get("y").(*Object).Set("z", Null))
			must(t, root.Set("n", Number(1.5)))
			must(t, root.Delete("n"))
			must(t, l.Delete(1))
			return nil
		})
		for i := range ops {
			if r := replica.ApplyRemote(&ops[i]); r != Applied {
				t.Fatalf("ref=%v: op %s: %v", ref, AppendOpJSON(nil, &ops[i]), r)
			}
		}
		if docJSON(replica) != docJSON(d) {
			t.Errorf("ref=%v:\nlocal   %s\nreplica %s", ref, docJSON(d), docJSON(replica))
		}
		if ops[len(ops)-1].Clock != d.Clock() || int(d.Clock()) != len(ops) {
			t.Errorf("clock %d after %d ops", d.Clock(), len(ops))
		}
		// The op touching the moved todo's tags carries its current position.
		for _, op := range ops {
			if op.Kind == OpListInsert && strings.Contains(string(op.Value), `"b"`) && len(op.Path) != 3 {
				t.Errorf("nested list path %v", op.Path)
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMutate_RollbackOnError(t *testing.T) {
	const start = `{"type":"LiveObject","data":{"a":1,"o":{"type":"LiveObject","data":{"k":1}},` +
		`"m":{"type":"LiveMap","entries":{"x":1,"y":2}},"l":{"type":"LiveList","items":[{"position":"V","value":1},{"position":"k","value":2}]}}}`
	d := mustDoc(t, start)
	// Give some fields non-zero clocks and a tombstone.
	remote(t, d, set(`["m"]`, "x", "5", 10))
	remote(t, d, del(`["m"]`, "y", 11))
	before, clock := docJSON(d), d.Clock()
	boom := errors.New("boom")
	var keep *Object
	ops, err := d.Mutate(func(root *Object) error {
		m := root.Get("m").(*Map)
		l := root.Get("l").(*List)
		keep = root.Get("o").(*Object)
		must(t, root.Set("a", Int(2)))
		must(t, root.Set("new", Int(3)))
		must(t, root.Delete("o"))
		must(t, root.Set("o", NewMap()))
		must(t, m.Set("x", Int(6)))
		must(t, m.Set("y", Int(7))) // revives the tombstone
		must(t, m.Delete("x"))
		must(t, m.Set("z", NewList()))
		must(t, l.Push(Int(3)))
		must(t, l.Move(0, 2))
		must(t, l.Delete(0))
		must(t, l.Insert(0, Int(9)))
		return boom
	})
	if !errors.Is(err, boom) || ops != nil {
		t.Fatalf("Mutate = %v, %v", ops, err)
	}
	if docJSON(d) != before || d.Clock() != clock {
		t.Fatalf("not rolled back:\n got %s (clock %d)\nwant %s (clock %d)", docJSON(d), d.Clock(), before, clock)
	}
	// The hidden state is back too: field clocks and the tombstone.
	if r := remote(t, d, set(`["m"]`, "x", "0", 10)); r != Rejected {
		t.Errorf("x clock not restored: %v", r)
	}
	if r := remote(t, d, set(`["m"]`, "y", "0", 11)); r != Rejected {
		t.Errorf("tombstone not restored: %v", r)
	}
	// The removed-then-restored child is attached again.
	if _, err := d.Mutate(func(*Object) error { return keep.Set("k", Int(2)) }); err != nil {
		t.Errorf("restored child: %v", err)
	}
}

func TestMutate_RollbackOnPanic(t *testing.T) {
	d := mustDoc(t, obj(`"a":1`))
	before := docJSON(d)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed")
			}
		}()
		_, _ = d.Mutate(func(root *Object) error {
			must(t, root.Set("a", Int(2)))
			panic("boom")
		})
	}()
	if docJSON(d) != before || d.Clock() != 0 {
		t.Errorf("not rolled back: %s", docJSON(d))
	}
	if _, err := d.Mutate(func(root *Object) error { return root.Set("b", Int(1)) }); err != nil {
		t.Errorf("Mutate after panic: %v", err)
	}
}

func TestMutate_Errors(t *testing.T) {
	d := mustDoc(t, obj(`"l":{"type":"LiveList","items":[]},"o":{"type":"LiveObject","data":{}}`))
	root := d.Root().(*Object)
	if err := root.Set("x", Int(1)); !errors.Is(err, ErrNotMutating) {
		t.Errorf("outside Mutate: %v", err)
	}
	check := func(name string, want error, fn func(root *Object) error) {
		t.Helper()
		before := docJSON(d)
		if _, err := d.Mutate(fn); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
		if docJSON(d) != before {
			t.Errorf("%s changed the doc", name)
		}
	}
	check("nested", ErrNestedMutate, func(*Object) error {
		_, err := d.Mutate(func(*Object) error { return nil })
		return err
	})
	check("attach root", ErrAttached, func(r *Object) error { return r.Set("self", r) })
	check("attach twice", ErrAttached, func(r *Object) error { return r.Set("again", r.Get("o")) })
	check("cycle", ErrCycle, func(r *Object) error {
		a, b := NewObject(), NewObject()
		must(t, a.Set("b", b))
		return b.Set("a", a)
	})
	check("invalid raw", ErrInvalidValue, func(r *Object) error { return r.Set("x", Raw("{nope")) })
	check("empty raw", ErrInvalidValue, func(r *Object) error { return r.Set("x", Raw("")) })
	check("nil value", ErrInvalidValue, func(r *Object) error { return r.Set("x", nil) })
	check("typed nil", ErrInvalidValue, func(r *Object) error { return r.Set("x", (*List)(nil)) })
	check("invalid crdt raw", ErrInvalidCrdt, func(r *Object) error { return r.Set("x", Raw(`{"type":"LiveMap"}`)) })
	l := root.Get("l").(*List)
	check("insert past end", ErrIndexOutOfRange, func(*Object) error { return l.Insert(1, Int(1)) })
	check("insert negative", ErrIndexOutOfRange, func(*Object) error { return l.Insert(-1, Int(1)) })
	check("delete missing", ErrIndexOutOfRange, func(*Object) error { return l.Delete(0) })
	check("move missing", ErrIndexOutOfRange, func(*Object) error { return l.Move(0, 0) })
	check("ApplySnapshot inside", ErrNestedMutate, func(*Object) error { return d.ApplySnapshot([]byte(emptyRoot)) })
	// Deleting a missing map key or object field is a silent no-op.
	ops, err := d.Mutate(func(r *Object) error {
		m := NewMap()
		must(t, r.Set("m", m))
		must(t, m.Delete("nope"))
		return r.Delete("nope")
	})
	if err != nil || len(ops) != 1 {
		t.Errorf("no-op deletes emitted %d ops, %v", len(ops), err)
	}
}

func TestMutate_DetachedNodesAreFree(t *testing.T) {
	o := NewObject()
	l := NewList()
	m := NewMap()
	must(t, l.Push(Int(1)))
	must(t, l.Insert(0, Int(0)))
	must(t, l.Move(0, 1))
	must(t, m.Set("k", Bool(true)))
	must(t, m.Delete("k"))
	must(t, m.Set("j", Null))
	must(t, o.Set("l", l))
	must(t, o.Set("m", m))
	want := `{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[{"position":"V","value":1},{"position":"k","value":0}]},"m":{"type":"LiveMap","entries":{"j":null}}}}`
	if got := string(o.AppendJSON(nil)); got != want {
		t.Errorf("got %s", got)
	}
	d := NewDoc()
	ops := mutate(t, d, func(root *Object) error { return root.Set("o", o) })
	if len(ops) != 1 || string(ops[0].Value) != want || d.Clock() != 1 {
		t.Errorf("attach op %s", opsJSON(ops))
	}
	// Now attached: further changes need Mutate and emit ops with paths.
	if err := l.Push(Int(2)); !errors.Is(err, ErrNotMutating) {
		t.Errorf("attached push outside Mutate: %v", err)
	}
	ops = mutate(t, d, func(*Object) error { return m.Set("z", Int(1)) })
	if got := opsJSON(ops); got != `[{"type":"set","path":["o","m"],"key":"z","value":1,"clock":2}]` {
		t.Errorf("nested op %s", got)
	}
}

func TestMutate_LocalSetSkipsLWW(t *testing.T) {
	d := NewDoc()
	remote(t, d, set("[]", "a", "1", 100)) // doc clock 101
	ops := mutate(t, d, func(root *Object) error { return root.Set("a", Int(2)) })
	if ops[0].Clock != 102 || docJSON(d) != obj(`"a":2`) {
		t.Errorf("local set: %s %s", opsJSON(ops), docJSON(d))
	}
	// The echo of our own op ties and is rejected.
	if r := d.ApplyRemote(&ops[0]); r != Rejected {
		t.Errorf("echo: %v", r)
	}
}

// TestMutate_ReferenceMoveByIndex reproduces the stock client's local move:
// with the reference generator, moving an item between "Vzz" and "W" gives
// "VzV", placed by index, so the list is out of position order; the server
// generator gives an in-order position.
func TestMutate_ReferenceMoveByIndex(t *testing.T) {
	const start = `{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[` +
		`{"position":"V","value":"a"},{"position":"Vzz","value":"b"},{"position":"W","value":"c"}]}}}`
	ref := mustDoc(t, start, WithReferenceKeys())
	ops := mutate(t, ref, func(root *Object) error { return root.Get("l").(*List).Move(0, 1) })
	if ops[0].FromPosition != "V" || ops[0].ToPosition != "VzV" {
		t.Fatalf("move op %s", opsJSON(ops))
	}
	want := `{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[` +
		`{"position":"Vzz","value":"b"},{"position":"VzV","value":"a"},{"position":"W","value":"c"}]}}}`
	if got := docJSON(ref); got != want {
		t.Errorf("reference client list\n got %s\nwant %s", got, want)
	}
	// Lookups still find items by position while out of order.
	l := ref.Root().(*Object).Get("l").(*List)
	if l.Index("VzV") != 1 || l.Index("Vzz") != 0 {
		t.Errorf("lookup in unsorted list")
	}
	// A replica applying the op sorts it: the divergence A.2.2 describes.
	replica := mustDoc(t, start)
	replica.ApplyRemote(&ops[0])
	if docJSON(replica) == docJSON(ref) {
		t.Error("expected the reference divergence")
	}
	// The server's generator stays in order.
	srv := mustDoc(t, start)
	ops = mutate(t, srv, func(root *Object) error { return root.Get("l").(*List).Move(0, 1) })
	if ops[0].ToPosition != "VzzV" || docJSON(srv) != strings.Replace(want, `"VzV"`, `"VzzV"`, 1) {
		t.Errorf("server move %s -> %s", opsJSON(ops), docJSON(srv))
	}
}

// TestMutate_ReferencePrependDuplicates reproduces repeated prepends: the
// reference generator returns "0" twice; the second item lands before the
// first (lower-bound insert), and a replica drops it.
func TestMutate_ReferencePrependDuplicates(t *testing.T) {
	const start = `{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[]}}}`
	d := mustDoc(t, start, WithReferenceKeys())
	replica := mustDoc(t, start)
	var all []Op
	for i := range 7 {
		all = append(all, mutate(t, d, func(root *Object) error { return root.Get("l").(*List).Insert(0, Int(int64(i))) })...)
	}
	l := d.Root().(*Object).Get("l").(*List)
	if l.Len() != 7 || l.Position(0) != "0" || l.Position(1) != "0" || l.Get(0) != Raw("6") {
		t.Errorf("local list %s", docJSON(d))
	}
	rejected := 0
	for i := range all {
		if replica.ApplyRemote(&all[i]) == Rejected {
			rejected++
		}
	}
	if rejected != 1 || replica.Root().(*Object).Get("l").(*List).Len() != 6 {
		t.Errorf("replica: %d rejected, %s", rejected, docJSON(replica))
	}
}
