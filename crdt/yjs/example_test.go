package yjs_test

import (
	"fmt"

	"github.com/lively-actor/lively/crdt/yjs"
)

// A REST write to an Epicenter-style table: push the new entry of a row and delete the previous
// one in one transaction by the server's client id; the returned update goes to every peer.
func ExampleDoc_Transact() {
	const serverClient = 4242
	doc := yjs.NewDoc()
	row := func(id, title string, ts float64) yjs.Any {
		v, _ := yjs.ParseJSON([]byte(fmt.Sprintf(`{"key":%q,"val":{"id":%q,"title":%q},"ts":%v}`, id, id, title, ts)))
		return v
	}
	if _, err := doc.Transact(serverClient, func(tx *yjs.Txn) error {
		return tx.ArrayPush("table:posts", row("p1", "Hello", 1))
	}); err != nil {
		panic(err)
	}
	update, err := doc.Transact(serverClient, func(tx *yjs.Txn) error {
		if err := tx.ArrayPush("table:posts", row("p1", "Hello again", 2)); err != nil {
			return err
		}
		return tx.ArrayDelete("table:posts", 0, 1)
	})
	if err != nil {
		panic(err)
	}
	peer := yjs.NewDoc()
	state, _ := doc.EncodeStateAsUpdate(nil)
	_ = peer.Apply(state)
	fmt.Println(len(update) > 0, peer.Root("table:posts", yjs.RootArray))
	// Output: true [{"key":"p1","val":{"id":"p1","title":"Hello again"},"ts":2}]
}

// Merging updates at the update level, without a document.
func ExampleMergeUpdates() {
	a := yjs.NewDoc()
	u1, _ := a.Transact(1, func(tx *yjs.Txn) error { return tx.MapSet("m", "x", yjs.Any{Kind: yjs.AnyNumber, Num: 1}) })
	u2, _ := a.Transact(1, func(tx *yjs.Txn) error { return tx.MapSet("m", "y", yjs.Any{Kind: yjs.AnyString, Str: "z"}) })
	merged, err := yjs.MergeUpdates([][]byte{u2, u1})
	if err != nil {
		panic(err)
	}
	sv, _ := yjs.EncodeStateVectorFromUpdate(merged)
	fmt.Printf("%x\n", sv)
	// Output: 010102
}
