package crdt

import (
	"bytes"
	"slices"
	"testing"
)

const fuzzDocRoot = `{"type":"LiveObject","data":{"a":1,"m":{"type":"LiveMap","entries":{"k":{"type":"LiveObject","data":{}}}},` +
	`"l":{"type":"LiveList","items":[{"position":"V","value":{"type":"LiveObject","data":{"t":1}}},{"position":"k","value":2}]}}}`

// FuzzDecodeOps feeds whole inputs to DecodeOps; every op it accepts must
// re-encode to an equivalent op and apply to documents in both roles
// without panicking.
func FuzzDecodeOps(f *testing.F) {
	seeds := []string{
		`[{"type":"set","path":[],"key":"x","value":1,"clock":1}]`,
		`[{"type":"delete","path":["m"],"key":"k","clock":3},{"type":"list-move","path":["l"],"fromPosition":"V","toPosition":"c","clock":2}]`,
		`[{"type":"list-insert","path":["l"],"position":"a","value":{"type":"LiveList","items":[{"position":"V","value":null}]},"clock":9}]`,
		`[{"type":"list-delete","path":["l"],"position":"k","clock":1},{"type":"set","path":["l","V"],"key":"t","value":"\ud800","clock":5}]`,
		`[null,{"type":"set","path":[],"key":"k","value":{"type":"LiveObject"},"clock":1},{"type":"set","key":"k","value":1,"clock":1}]`,
		`[{"clock":1e3,"type":"set","path":["a"],"key":"\u0000","value":[1,{"type":"LiveMap"}]}]`,
		`[]`, `{}`, `null`, `[`, `[1,2,"x"]`, `[{"type":"set","path":[],"key":"k","value":1,"clock":NaN}]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, bad, err := DecodeOps(data)
		if err != nil {
			if len(ops) != 0 || bad != 0 {
				t.Fatalf("error with results")
			}
			return
		}
		client := mustDoc(t, fuzzDocRoot, WithReferenceKeys())
		server := mustDoc(t, fuzzDocRoot)
		for i := range ops {
			op := ops[i]
			enc := AppendOpJSON(nil, &op)
			again, nbad, err := DecodeOps(append(append([]byte{'['}, enc...), ']'))
			if err != nil || nbad != 0 || len(again) != 1 {
				t.Fatalf("re-decode of %s: %v %d", enc, err, nbad)
			}
			if !sameOp(&op, &again[0]) {
				t.Fatalf("round trip changed %+v into %+v", op, again[0])
			}
			fresh := op
			fresh.Raw = nil
			again, nbad, err = DecodeOps(AppendOpsJSON(nil, []Op{fresh}))
			if err != nil || nbad != 0 || len(again) != 1 || !sameOp(&op, &again[0]) {
				t.Fatalf("fresh encoding of %+v: %v %d", op, err, nbad)
			}
			client.ApplyRemote(&op)
			prev := server.Clock()
			server.Sequence(&op)
			if op.Clock <= prev || server.Clock() != op.Clock {
				t.Fatalf("stamp %d after %d", op.Clock, prev)
			}
		}
		for _, d := range []*Doc{client, server} {
			j := d.AppendJSON(nil)
			back, err := Deserialize(j)
			if err != nil {
				t.Fatalf("re-deserialize %s: %v", j, err)
			}
			if !bytes.Equal(back.AppendJSON(nil), j) && !hasUnsorted(d) {
				t.Fatalf("unstable serialization %s", j)
			}
		}
	})
}

func sameOp(a, b *Op) bool {
	return a.Kind == b.Kind && slices.Equal(a.Path, b.Path) && a.Key == b.Key && a.Position == b.Position &&
		a.FromPosition == b.FromPosition && a.ToPosition == b.ToPosition && bytes.Equal(a.Value, b.Value) && a.Clock == b.Clock
}

// hasUnsorted reports whether some list in d is out of position order (a
// client-model list after a by-index move), which re-sorts on reload.
func hasUnsorted(d *Doc) bool {
	var walk func(n node) bool
	walk = func(n node) bool {
		if l, ok := n.(*List); ok && l.unsorted {
			return true
		}
		found := false
		n.eachChild(func(c node) { found = found || walk(c) })
		return found
	}
	return walk(d.root)
}

// FuzzDeserialize feeds whole inputs to Deserialize; accepted documents
// must serialize to JSON that deserializes to the same serialization.
func FuzzDeserialize(f *testing.F) {
	seeds := []string{
		fuzzDocRoot,
		emptyRoot,
		`{"type":"LiveMap","entries":{"10":1,"2":2,"b":{"type":"LiveList","items":[]}}}`,
		`{"type":"LiveList","items":[{"position":"k","value":1},{"position":"V","value":{"type":"Foo"}}]}`,
		`{"type":"Foo"}`, `{"type":"LiveObject"}`, `{"type":"LiveList","items":[{"position":"V"}]}`,
		`null`, `[]`, `{"type":"LiveObject","data":{"a":1,"a":2,"\ud800":"\u2028<>"}}`,
		" {\"type\":\"LiveObject\",\"data\":{\"x\":\"\xff\"}} ",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Deserialize(data)
		if err != nil {
			if d != nil {
				t.Fatal("error with a document")
			}
			return
		}
		j := d.AppendJSON(nil)
		again, err := Deserialize(j)
		if err != nil {
			t.Fatalf("re-deserialize %s: %v", j, err)
		}
		if j2 := again.AppendJSON(nil); !bytes.Equal(j, j2) {
			t.Fatalf("unstable:\n%s\n%s", j, j2)
		}
		if err := d.ApplySnapshot(data); err != nil {
			t.Fatalf("ApplySnapshot of accepted input: %v", err)
		}
	})
}
