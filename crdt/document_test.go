package crdt

import (
	"strings"
	"testing"
)

func TestDeserialize_RoundTrip(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", emptyRoot, emptyRoot},
		{
			"key order kept, list re-sorted",
			`{"type":"LiveObject","data":{"b":1,"a":{"type":"LiveMap","entries":{"z":true,"y":null}},` +
				`"l":{"type":"LiveList","items":[{"position":"k","value":"x"},{"position":"V","value":{"type":"LiveObject","data":{}}}]}}}`,
			`{"type":"LiveObject","data":{"b":1,"a":{"type":"LiveMap","entries":{"z":true,"y":null}},` +
				`"l":{"type":"LiveList","items":[{"position":"V","value":{"type":"LiveObject","data":{}}},{"position":"k","value":"x"}]}}}`,
		},
		{
			"array-index keys first, as JSON.stringify lists them",
			`{"type":"LiveObject","data":{"b":1,"10":2,"2":3,"a":4,"01":5}}`,
			`{"type":"LiveObject","data":{"2":3,"10":2,"b":1,"a":4,"01":5}}`,
		},
		{
			"duplicate keys: last value at first place",
			`{"type":"LiveObject","data":{"a":1,"b":2,"a":3}}`,
			`{"type":"LiveObject","data":{"a":3,"b":2}}`,
		},
		{
			"whitespace compacted, plain values kept as written",
			"{ \"type\" : \"LiveObject\" , \"data\" : { \"p\" : { \"x\" : [ 1 , 2.50 ] } , \"s\" : \"a b\" } }",
			`{"type":"LiveObject","data":{"p":{"x":[1,2.50]},"s":"a b"}}`,
		},
		{
			"other types stay plain, nested CRDT shapes inside plain values stay plain",
			`{"type":"LiveObject","data":{"f":{"type":"Foo"},"arr":[{"type":"LiveObject"}],"n":{"type":5}}}`,
			`{"type":"LiveObject","data":{"f":{"type":"Foo"},"arr":[{"type":"LiveObject"}],"n":{"type":5}}}`,
		},
		{
			"extra members dropped, body order irrelevant",
			`{"data":{"x":1},"extra":true,"type":"LiveObject"}`,
			`{"type":"LiveObject","data":{"x":1}}`,
		},
		{
			"no HTML escaping",
			`{"type":"LiveObject","data":{"<a>&":"<b>&amp;\u2028"}}`,
			"{\"type\":\"LiveObject\",\"data\":{\"<a>&\":\"<b>&amp;\\u2028\"}}",
		},
		{
			"escaped keys decoded and re-escaped like JSON.stringify",
			`{"type":"LiveObject","data":{"\u0041\n":1}}`,
			`{"type":"LiveObject","data":{"A\n":1}}`,
		},
		{"map root", `{"type":"LiveMap","entries":{"k":1}}`, `{"type":"LiveMap","entries":{"k":1}}`},
		{
			"list root with duplicate positions kept in stable order",
			`{"type":"LiveList","items":[{"position":"k","value":2},{"position":"V","value":1},{"position":"k","value":3}]}`,
			`{"type":"LiveList","items":[{"position":"V","value":1},{"position":"k","value":2},{"position":"k","value":3}]}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := mustDoc(t, c.in)
			if got := docJSON(d); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if d.Clock() != 0 {
				t.Errorf("clock = %d", d.Clock())
			}
			again := mustDoc(t, docJSON(d))
			if got := docJSON(again); got != c.want {
				t.Errorf("second round trip: %s", got)
			}
		})
	}
}

func TestDeserialize_ClocksAreZero(t *testing.T) {
	d := mustDoc(t, `{"type":"LiveObject","data":{"a":1,"m":{"type":"LiveMap","entries":{"k":1}}}}`)
	if r := remote(t, d, `{"type":"set","path":[],"key":"a","value":2,"clock":0}`); r != Rejected {
		t.Errorf("tie with snapshot clock 0: %v", r)
	}
	if r := remote(t, d, `{"type":"set","path":["m"],"key":"k","value":2,"clock":1}`); r != Applied {
		t.Errorf("clock 1 over snapshot: %v", r)
	}
}

func TestDoc_ApplySnapshot(t *testing.T) {
	d := mustDoc(t, `{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[]}}}`)
	mutate(t, d, func(root *Object) error { return root.Get("l").(*List).Push(Int(1)) })
	oldRoot := d.Root().(*Object)
	clock := d.Clock()
	if err := d.ApplySnapshot([]byte(`{"type":"LiveObject","data":{"x":{"type":"LiveMap","entries":{"k":"v"}}}}`)); err != nil {
		t.Fatal(err)
	}
	if d.Clock() != clock {
		t.Errorf("clock changed: %d -> %d", clock, d.Clock())
	}
	if got, want := docJSON(d), `{"type":"LiveObject","data":{"x":{"type":"LiveMap","entries":{"k":"v"}}}}`; got != want {
		t.Errorf("got %s", got)
	}
	// The old tree is detached: changing it records nothing and leaves d alone.
	if err := oldRoot.Set("y", Int(1)); err != nil {
		t.Errorf("old root Set: %v", err)
	}
	if strings.Contains(docJSON(d), `"y"`) {
		t.Error("old root still wired to the document")
	}
	// Ops address the new tree.
	if r := remote(t, d, `{"type":"set","path":["x"],"key":"k2","value":2,"clock":1}`); r != Applied {
		t.Errorf("op on new tree: %v", r)
	}
}

func TestDoc_MergeClock(t *testing.T) {
	d := NewDoc()
	d.MergeClock(5)
	if d.Clock() != 6 {
		t.Fatalf("merge(5) from 0 = %d", d.Clock())
	}
	d.MergeClock(2) // always increments
	if d.Clock() != 7 {
		t.Fatalf("merge(2) from 6 = %d", d.Clock())
	}
}

func TestNodes_ReadAPI(t *testing.T) {
	d := mustDoc(t, `{"type":"LiveObject","data":{"s":"x","m":{"type":"LiveMap","entries":{"a":1,"b":2}},`+
		`"l":{"type":"LiveList","items":[{"position":"V","value":true},{"position":"k","value":{"type":"LiveObject","data":{}}}]}}}`)
	root := d.Root().(*Object)
	if root.Len() != 3 || strings.Join(root.Keys(), ",") != "s,m,l" || !root.Has("s") || root.Has("zz") {
		t.Errorf("object read API: len %d keys %v", root.Len(), root.Keys())
	}
	if root.Get("s") != Raw(`"x"`) || root.Get("zz") != nil {
		t.Errorf("Get s = %v", root.Get("s"))
	}
	m := root.Get("m").(*Map)
	if m.Len() != 2 || strings.Join(m.Keys(), ",") != "a,b" || m.Get("b") != Raw("2") || !m.Has("a") {
		t.Errorf("map read API")
	}
	l := root.Get("l").(*List)
	if l.Len() != 2 || l.Get(0) != Raw("true") || l.Position(1) != "k" || l.Index("k") != 1 || l.Index("zz") != -1 {
		t.Errorf("list read API")
	}
	if _, ok := l.Get(1).(*Object); !ok || l.Get(2) != nil || l.Get(-1) != nil || l.Position(5) != "" {
		t.Errorf("list Get bounds")
	}
	if got := string(l.AppendJSON(nil)); got != `{"type":"LiveList","items":[{"position":"V","value":true},{"position":"k","value":{"type":"LiveObject","data":{}}}]}` {
		t.Errorf("list AppendJSON = %s", got)
	}
}
