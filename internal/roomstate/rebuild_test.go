package roomstate

import (
	"strings"
	"testing"

	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/store"
)

func TestRebuild_ReplaysChangesInOrderAndReportsWhatItSkips(t *testing.T) {
	ydoc := yjs.NewDoc()
	u, err := ydoc.Transact(3, func(tx *yjs.Txn) error {
		return tx.ArrayPush("l", yjs.Any{Kind: yjs.AnyString, Str: "a"})
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &store.Room{
		Snapshot: store.Snapshot{Storage: []byte(`{"type":"LiveObject","data":{"n":1}}`)},
		Changes: []store.StoredChange{
			{Seq: 1, Kind: store.KindStorage, Data: []byte(`[{"type":"set","path":[],"key":"n","value":2,"clock":4}]`)},
			{Seq: 2, Kind: store.KindStorage, Data: []byte(`nope`)},
			{Seq: 3, Kind: store.KindYjs, Data: u},
			{Seq: 4, Kind: store.KindStorage, Data: []byte(`[{"type":"set","path":[],"key":"m","value":3,"clock":5},{"type":"bogus"}]`)},
			{Seq: 5, Kind: store.KindYjs, Data: []byte{1}},
		},
	}
	res := Rebuild(r)
	if got := string(res.Storage.AppendJSON(nil)); got != `{"type":"LiveObject","data":{"n":2,"m":3}}` {
		t.Fatalf("storage %s", got)
	}
	if res.YDoc == nil || len(res.YDoc.Root("l", yjs.RootArray).Items) != 1 {
		t.Fatal("the Yjs update was not replayed")
	}
	if res.StorageOps != 2 || res.YjsUpdates != 1 {
		t.Fatalf("replayed %d storage changes and %d Yjs updates, want 2 (#1, #4) and 1 (#3)", res.StorageOps, res.YjsUpdates)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.What)
	}
	if strings.Join(got, ",") != "storage ops,storage ops,Yjs update" {
		t.Fatalf("problems %v", res.Problems)
	}
}

func TestRebuild_InitReplacesTheDocumentAndOpsBeforeAnyDocumentAreDropped(t *testing.T) {
	r := &store.Room{Changes: []store.StoredChange{
		{Seq: 1, Kind: store.KindStorage, Data: []byte(`[{"type":"set","path":[],"key":"x","value":1,"clock":1}]`)},
		{Seq: 2, Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveMap","entries":{}}`)},
	}}
	res := Rebuild(r)
	if got := string(res.Storage.AppendJSON(nil)); got != `{"type":"LiveMap","entries":{}}` {
		t.Fatalf("storage %s", got)
	}
	if res.StorageOps != 0 || res.YjsUpdates != 0 || len(res.Problems) != 0 || res.YDoc != nil {
		t.Fatalf("%+v", res)
	}
}
