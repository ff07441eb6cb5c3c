package crdt

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDecodeOps_Errors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`{}`, ErrOpsNotArray},
		{`null`, ErrOpsNotArray},
		{`"ops"`, ErrOpsNotArray},
		{`5`, ErrOpsNotArray},
		{`[]`, ErrOpsEmpty},
		{` [ ] `, ErrOpsEmpty},
		{`[`, ErrInvalidJSON},
		{`[1,]`, ErrInvalidJSON},
		{``, ErrInvalidJSON},
		{`[] []`, ErrInvalidJSON},
	}
	for _, c := range cases {
		ops, bad, err := DecodeOps([]byte(c.in))
		if !errors.Is(err, c.want) || ops != nil || bad != 0 {
			t.Errorf("DecodeOps(%s) = %v, %d, %v; want %v", c.in, ops, bad, err, c.want)
		}
	}
}

func TestDecodeOps_BadElements(t *testing.T) {
	bad := []string{
		`null`,
		`5`,
		`"set"`,
		`[]`,
		`{}`,
		`{"type":"set","path":[],"key":"k","value":1}`,                                       // no clock
		`{"type":"set","path":[],"key":"k","value":1,"clock":"1"}`,                           // string clock
		`{"type":"set","path":[],"key":"k","value":1,"clock":null}`,                          // null clock
		`{"type":"set","path":[],"key":"k","value":1,"clock":1.5}`,                           // fractional
		`{"type":"set","path":[],"key":"k","value":1,"clock":1e300}`,                         // beyond 2^53
		`{"type":"nope","path":[],"key":"k","value":1,"clock":1}`,                            // unknown type
		`{"type":5,"path":[],"key":"k","value":1,"clock":1}`,                                 // non-string type
		`{"type":"set","key":"k","value":1,"clock":1}`,                                       // no path
		`{"type":"set","path":"abc","key":"k","value":1,"clock":1}`,                          // string path
		`{"type":"set","path":[1],"key":"k","value":1,"clock":1}`,                            // non-string segment
		`{"type":"set","path":null,"key":"k","value":1,"clock":1}`,                           // null path
		`{"type":"set","path":[],"key":"k","clock":1}`,                                       // set without value
		`{"type":"set","path":[],"value":1,"clock":1}`,                                       // set without key
		`{"type":"delete","path":[],"key":5,"clock":1}`,                                      // non-string key
		`{"type":"set","path":[],"key":"k","value":{"type":"LiveObject"},"clock":1}`,         // CRDT without body
		`{"type":"set","path":[],"key":"k","value":{"type":"LiveList","items":5},"clock":1}`, // bad body
		`{"type":"list-insert","path":[],"value":1,"clock":1}`,                               // no position
		`{"type":"list-insert","path":[],"position":"V","clock":1}`,                          // no value
		`{"type":"list-delete","path":[],"position":7,"clock":1}`,                            // bad position
		`{"type":"list-move","path":[],"fromPosition":"V","clock":1}`,                        // no toPosition
		`{"type":"list-move","path":[],"toPosition":"V","clock":1}`,                          // no fromPosition
	}
	good := []string{
		`{"type":"set","path":[],"key":"k","value":1,"clock":1}`,
		`{"type":"delete","path":["a","b"],"key":"k","clock":2}`,
		`{"type":"list-insert","path":["l"],"position":"V","value":{"type":"LiveMap","entries":{}},"clock":3}`,
		`{"type":"list-delete","path":["l"],"position":"V","clock":4}`,
		`{"type":"list-move","path":["l"],"fromPosition":"V","toPosition":"k","clock":5}`,
	}
	all := append(slices.Clone(bad), good...)
	ops, nbad, err := DecodeOps([]byte("[" + strings.Join(all, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	if nbad != len(bad) || len(ops) != len(good) {
		t.Fatalf("got %d ops, %d bad; want %d, %d", len(ops), nbad, len(good), len(bad))
	}
	for i, op := range ops {
		if string(op.Raw) != good[i] || op.Clock != int64(i+1) {
			t.Errorf("op %d: raw %s clock %d", i, op.Raw, op.Clock)
		}
	}
	for i, b := range bad {
		ops, n, err := DecodeOps([]byte("[" + b + "]"))
		if err != nil || n != 1 || len(ops) != 0 {
			t.Errorf("bad[%d] %s: %d ops, %d bad, %v", i, b, len(ops), n, err)
		}
	}
}

func TestDecodeOps_Fields(t *testing.T) {
	op := mustOp(t, `{"extra":{"x":[1]},"clock":9,"type":"set","path":["a","\u0062"],"key":"k\"1","value": { "type" : "LiveObject" , "data" : { } },"type":"set"}`)
	if op.Kind != OpSet || !slices.Equal(op.Path, []string{"a", "b"}) || op.Key != `k"1` || op.Clock != 9 {
		t.Errorf("decoded %+v", op)
	}
	if string(op.Value) != `{"type":"LiveObject","data":{}}` {
		t.Errorf("value not compacted: %s", op.Value)
	}
	mv := mustOp(t, `{"type":"list-move","path":[],"fromPosition":"V","toPosition":"k","clock":-3}`)
	if mv.Kind != OpListMove || mv.FromPosition != "V" || mv.ToPosition != "k" || mv.Clock != -3 || len(mv.Path) != 0 {
		t.Errorf("decoded %+v", mv)
	}
	// Repeated keys: the last one counts.
	dup := mustOp(t, `{"type":"delete","path":[],"key":"a","key":"b","clock":1,"clock":2}`)
	if dup.Key != "b" || dup.Clock != 2 {
		t.Errorf("dup keys: %+v", dup)
	}
	dup.Clock = 40
	if got := string(AppendOpJSON(nil, &dup)); got != `{"type":"delete","path":[],"key":"a","key":"b","clock":1,"clock":40}` {
		t.Errorf("rewrite of repeated clock: %s", got)
	}
}

func TestAppendOpJSON_KeepsClientBytes(t *testing.T) {
	in := `{"clock":1, "type":"set","extra":{"a":[1,"<&>"]},"path":["a"],"key":"k","value":{"x" : 1}}`
	op := mustOp(t, in)
	op.Clock = 1234
	want := strings.Replace(in, `"clock":1,`, `"clock":1234,`, 1)
	if got := string(AppendOpJSON(nil, &op)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAppendOpJSON_ReferenceKeyOrder(t *testing.T) {
	cases := []struct {
		op   Op
		want string
	}{
		{Op{Kind: OpSet, Path: []string{}, Key: "x", Value: []byte("1"), Clock: 1}, `{"type":"set","path":[],"key":"x","value":1,"clock":1}`},
		{Op{Kind: OpDelete, Path: []string{"a"}, Key: "x", Clock: 2}, `{"type":"delete","path":["a"],"key":"x","clock":2}`},
		{Op{Kind: OpListInsert, Path: []string{"l"}, Position: "V", Value: []byte(`"<&>"`), Clock: 3}, `{"type":"list-insert","path":["l"],"position":"V","value":"<&>","clock":3}`},
		{Op{Kind: OpListDelete, Path: []string{"l"}, Position: "V", Clock: 4}, `{"type":"list-delete","path":["l"],"position":"V","clock":4}`},
		{Op{Kind: OpListMove, Path: []string{"l", "k\n"}, FromPosition: "V", ToPosition: "c", Clock: 5}, `{"type":"list-move","path":["l","k\n"],"fromPosition":"V","toPosition":"c","clock":5}`},
	}
	for _, c := range cases {
		if got := string(AppendOpJSON(nil, &c.op)); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
		// And it decodes back to the same op.
		back := mustOp(t, c.want)
		back.Raw = nil
		if got := string(AppendOpJSON(nil, &back)); got != c.want {
			t.Errorf("re-encoded %s", got)
		}
	}
	if got := opsJSON([]Op{cases[0].op, cases[1].op}); got != "["+cases[0].want+","+cases[1].want+"]" {
		t.Errorf("AppendOpsJSON = %s", got)
	}
	if OpListMove.String() != "list-move" || OpKind(9).String() != "OpKind(9)" {
		t.Error("OpKind.String")
	}
}

// TestOp_ReplacedValueIsValidated: a decoded op's Value is trusted only
// while it is the slice DecodeOps produced.
func TestOp_ReplacedValueIsValidated(t *testing.T) {
	op := mustOp(t, set("[]", "k", "1", 1))
	op.Value = []byte(`{"type":"LiveList"}`)
	if r := NewDoc().ApplyRemote(&op); r != Unappliable {
		t.Errorf("replaced invalid value: %v", r)
	}
	op.Value = []byte(` {"type":"LiveList","items":[]} `)
	d := NewDoc()
	if r := d.ApplyRemote(&op); r != Applied || docJSON(d) != obj(`"k":{"type":"LiveList","items":[]}`) {
		t.Errorf("replaced valid value: %v %s", r, docJSON(d))
	}
}

func TestDecodeOps_EscapedAndSpacedKeys(t *testing.T) {
	op := mustOp(t, "{ \"t\\u0079pe\" : \"s\\u0065t\" , \"path\" : [ \"a\" ] , \"key\" : \"k\" , \"value\" : 1 , \"cl\\u006fck\" \t: 7 }")
	if op.Kind != OpSet || op.Clock != 7 || op.Key != "k" || len(op.Path) != 1 {
		t.Fatalf("decoded %+v", op)
	}
	op.Clock = 8
	if got := string(AppendOpJSON(nil, &op)); got != "{ \"t\\u0079pe\" : \"s\\u0065t\" , \"path\" : [ \"a\" ] , \"key\" : \"k\" , \"value\" : 1 , \"cl\\u006fck\" \t: 8 }" {
		t.Errorf("rewrite %s", got)
	}
}
