package crdt_test

import (
	"fmt"

	"github.com/lively-actor/lively/crdt"
)

// The server's storage path for one storage:ops message: decode, sequence
// each op, broadcast the stamped ops with the document clock.
func ExampleDoc_Sequence() {
	doc, _ := crdt.Deserialize([]byte(`{"type":"LiveObject","data":{"count":0}}`))
	ops, bad, err := crdt.DecodeOps([]byte(`[{"type":"set","path":[],"key":"count","value":1,"clock":1,"by":"alice"},null]`))
	if err != nil {
		return
	}
	var out []crdt.Op
	for i := range ops {
		switch doc.Sequence(&ops[i]) {
		case crdt.Applied, crdt.Rejected:
			out = append(out, ops[i])
		case crdt.Unappliable:
			// resync the sender with a fresh storage:init
		}
	}
	msg := fmt.Appendf(nil, `{"type":"storage:ops","ops":%s,"clock":%d}`, crdt.AppendOpsJSON(nil, out), doc.Clock())
	fmt.Println(bad, string(msg))
	fmt.Println(string(doc.AppendJSON(nil)))
	// Output:
	// 1 {"type":"storage:ops","ops":[{"type":"set","path":[],"key":"count","value":1,"clock":2,"by":"alice"}],"clock":2}
	// {"type":"LiveObject","data":{"count":1}}
}

// MutateStorage on a freshly loaded document (PROTOCOL.md B.1.10).
func ExampleDoc_Mutate() {
	doc, _ := crdt.Deserialize([]byte(`{"type":"LiveObject","data":{"items":{"type":"LiveList","items":[]}}}`))
	ops, err := doc.Mutate(func(root *crdt.Object) error {
		if err := root.Set("newKey", crdt.String("hi")); err != nil {
			return err
		}
		items := root.Get("items").(*crdt.List)
		if err := items.Push(crdt.Int(1)); err != nil {
			return err
		}
		return items.Push(crdt.Int(2))
	})
	if err != nil {
		return
	}
	fmt.Println(string(crdt.AppendOpsJSON(nil, ops)), doc.Clock())
	// Output:
	// [{"type":"set","path":[],"key":"newKey","value":"hi","clock":1},{"type":"list-insert","path":["items"],"position":"V","value":1,"clock":2},{"type":"list-insert","path":["items"],"position":"k","value":2,"clock":3}] 3
}

func ExampleKeyBetween() {
	fmt.Println(crdt.KeyBetween("", ""), crdt.KeyBetween("V", ""), crdt.KeyBetween("", "V"), crdt.KeyBetween("V", "W"))
	// Where the reference generator is wrong, KeyBetween is not:
	fmt.Println(crdt.ReferenceKeyBetween("", "0"), crdt.KeyBetween("", "0"))
	fmt.Println(crdt.ReferenceKeyBetween("Vzz", "W"), crdt.KeyBetween("Vzz", "W"))
	// Output:
	// V k F VV
	// 0 -V
	// VzV VzzV
}
