package yjs_test

import (
	"fmt"

	"github.com/lively-actor/lively/crdt/yjs"
)

// A server writes a row of an Epicenter table in one transaction by its own client id; the
// returned update is what it broadcasts to y-websocket clients and persists.
func ExampleUpsertRow() {
	const serverClient = 4242
	doc := yjs.NewDoc()
	row, _ := yjs.ParseJSON([]byte(`{"id":"p1","title":"Hello"}`))
	update, written, err := yjs.UpsertRow(doc, serverClient, "posts", "p1", row, 1700000000000)
	if err != nil {
		panic(err)
	}
	peer := yjs.NewDoc()
	_ = peer.Apply(update)
	fmt.Println(written.TS, peer.Root("table:posts", yjs.RootArray))
	for _, r := range yjs.ReadTable(peer, "posts") {
		fmt.Println(r.Key, r.Val)
	}
	// Output:
	// 1.7e+12 [{"key":"p1","val":{"id":"p1","title":"Hello"},"ts":1700000000000}]
	// p1 {"id":"p1","title":"Hello"}
}

// The room actor that owns a workspace document runs each REST request as one TableOp.
func ExampleTableOp_Apply() {
	doc := yjs.NewDoc()
	patch, _ := yjs.ParseJSON([]byte(`{"title":"Edited"}`))
	row, _ := yjs.ParseJSON([]byte(`{"id":"p1","title":"Hello","draft":true}`))
	for _, op := range []*yjs.TableOp{
		{Kind: yjs.OpUpsertRow, Table: "posts", Key: "p1", Value: row},
		{Kind: yjs.OpUpdateRow, Table: "posts", Key: "p1", Value: patch},
		{Kind: yjs.OpListRows, Table: "posts"},
	} {
		result, update, err := op.Apply(doc, 4242, 1000)
		fmt.Printf("%v: %s (update: %v, err: %v)\n", op.Kind, result, update != nil, err)
	}
	// Output:
	// upsert-row: {"id":"p1","title":"Hello","draft":true} (update: true, err: <nil>)
	// update-row: {"id":"p1","title":"Edited","draft":true} (update: true, err: <nil>)
	// list-rows: [{"id":"p1","title":"Edited","draft":true}] (update: false, err: <nil>)
}
