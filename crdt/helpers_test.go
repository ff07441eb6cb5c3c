package crdt

import (
	"testing"
)

func mustDoc(t testing.TB, root string, opts ...Option) *Doc {
	t.Helper()
	d, err := Deserialize([]byte(root), opts...)
	if err != nil {
		t.Fatalf("Deserialize(%s): %v", root, err)
	}
	return d
}

func docJSON(d *Doc) string { return string(d.AppendJSON(nil)) }

// mustOp decodes a single op element.
func mustOp(t testing.TB, op string) Op {
	t.Helper()
	ops, bad, err := DecodeOps([]byte("[" + op + "]"))
	if err != nil || bad != 0 || len(ops) != 1 {
		t.Fatalf("DecodeOps(%s) = %d ops, %d bad, %v", op, len(ops), bad, err)
	}
	return ops[0]
}

func remote(t testing.TB, d *Doc, op string) ApplyResult {
	t.Helper()
	o := mustOp(t, op)
	return d.ApplyRemote(&o)
}

func sequence(t testing.TB, d *Doc, op string) ApplyResult {
	t.Helper()
	o := mustOp(t, op)
	return d.Sequence(&o)
}

func mutate(t testing.TB, d *Doc, fn func(root *Object) error) []Op {
	t.Helper()
	ops, err := d.Mutate(fn)
	if err != nil {
		t.Fatalf("Mutate: %v", err)
	}
	return ops
}

func opsJSON(ops []Op) string { return string(AppendOpsJSON(nil, ops)) }

const emptyRoot = `{"type":"LiveObject","data":{}}`
