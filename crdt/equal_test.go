package crdt

import "testing"

func TestDoc_Equal(t *testing.T) {
	base := obj(`"a":1,"m":{"type":"LiveMap","entries":{"x":1,"y":{"type":"LiveList","items":[{"position":"V","value":1}]}}}`)
	cases := []struct {
		other string
		want  bool
	}{
		{base, true},
		// Key order does not matter.
		{obj(`"m":{"type":"LiveMap","entries":{"y":{"type":"LiveList","items":[{"position":"V","value":1}]},"x":1}},"a":1`), true},
		{obj(`"a":2,"m":{"type":"LiveMap","entries":{"x":1,"y":{"type":"LiveList","items":[{"position":"V","value":1}]}}}`), false},
		{obj(`"a":1,"m":{"type":"LiveMap","entries":{"x":1,"y":{"type":"LiveList","items":[{"position":"k","value":1}]}}}`), false},
		{obj(`"a":1,"m":{"type":"LiveObject","data":{"x":1,"y":{"type":"LiveList","items":[{"position":"V","value":1}]}}}`), false},
		{obj(`"a":1,"m":{"type":"LiveMap","entries":{"x":1}}`), false},
		{obj(`"a":1,"b":1,"m":{"type":"LiveMap","entries":{"x":1,"y":{"type":"LiveList","items":[{"position":"V","value":1}]}}}`), false},
		{`{"type":"LiveMap","entries":{}}`, false},
	}
	d := mustDoc(t, base)
	for _, c := range cases {
		if got := d.Equal(mustDoc(t, c.other)); got != c.want {
			t.Errorf("Equal(%s) = %v", c.other, got)
		}
	}
	// Tombstones and clocks are ignored.
	o := mustDoc(t, base)
	remote(t, o, set(`["m"]`, "z", "1", 5))
	remote(t, o, del(`["m"]`, "z", 6))
	remote(t, o, set(`[]`, "a", "1", 9))
	if !d.Equal(o) {
		t.Error("tombstone or clock made documents unequal")
	}
}
