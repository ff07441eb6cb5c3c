package roomscli

import (
	"testing"
	"time"

	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/store"
)

// docRoot is a storage root using every node type, nested, with plain
// values (including an object whose "type" is not a CRDT name).
const docRoot = `{"type":"LiveObject","data":{` +
	`"title":"Hello <b>&amp; \"world\"",` +
	`"count":3,"ratio":0.5,"done":false,"nothing":null,` +
	`"plain":{"type":"Foo","n":[1,2]},` +
	`"people":{"type":"LiveMap","entries":{` +
	`"alice":{"type":"LiveObject","data":{"age":30,"tags":{"type":"LiveList","items":[]}}},` +
	`"bob":"gone"}},` +
	`"todos":{"type":"LiveList","items":[` +
	`{"position":"V","value":{"type":"LiveObject","data":{"text":"first","done":true}}},` +
	`{"position":"VV","value":"plain string"},` +
	`{"position":"W","value":{"type":"LiveMap","entries":{}}}]},` +
	`"empty":{"type":"LiveObject","data":{}}}}`

func TestInspect(t *testing.T) {
	f := newFixture(t)
	f.run("", "inspect", "nope")

	f.append("doc", time.Hour, store.Change{Kind: store.KindStorage, Data: []byte(`[{"type":"set"}]`)})
	f.snapshot("doc", 2*time.Minute, []byte(docRoot), []byte{0, 0})
	f.append("doc", 90*time.Second,
		store.Change{Kind: store.KindStorage, Data: []byte(
			`[{"type":"set","path":[],"key":"count","value":4,"clock":7},` +
				`{"type":"list-insert","path":["todos"],"position":"X","value":"x","clock":8}]`)},
		store.Change{Kind: store.KindYjs, Data: []byte{1, 2, 3}})
	_, _, code := f.run("", "inspect", "doc")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}

	// A pending storage-init replaces the snapshot's document.
	f.append("doc", 30*time.Second,
		store.Change{Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveMap","entries":{"k":"v"}}`)},
		store.Change{Kind: store.KindStorage, Data: []byte(`[{"type":"delete","path":[],"key":"k","clock":9}]`)},
		store.Change{Kind: store.KindStorage, Data: []byte(`not json`)},
		store.Change{Kind: store.KindStorage, Data: []byte(
			`[{"type":"set"},{"type":"set"},{"type":"set"},{"type":"set"},{"type":"set"},{"type":"set"},{"type":"x"}]`)})
	f.run("", "inspect", "doc")

	f.append("yjs-only", time.Second, store.Change{Kind: store.KindYjs, Data: []byte{1}})
	f.run("", "inspect", "yjs-only")

	// Valid Yjs updates after a snapshot are replayed into the document shown.
	ydoc := yjs.NewDoc()
	first, err := ydoc.Transact(7, func(tx *yjs.Txn) error {
		return tx.ArrayPush("list", yjs.Any{Kind: yjs.AnyString, Str: "a"})
	})
	if err != nil {
		t.Fatal(err)
	}
	second, err := ydoc.Transact(7, func(tx *yjs.Txn) error {
		return tx.ArrayPush("list", yjs.Any{Kind: yjs.AnyString, Str: "b"})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.snapshot("yjs-live", time.Second, nil, first)
	f.append("yjs-live", 0, store.Change{Kind: store.KindYjs, Data: second})
	f.run("", "inspect", "yjs-live")

	f.snapshot("odd", 0, []byte(`{"type":"LiveObject","data":{"list":{"type":"LiveList"},"map":{"type":"LiveMap","entries":[1]},"x\ty":1}}`), nil)
	f.run("", "inspect", "odd")
	f.snapshot("not-crdt", 0, []byte(`[1, 2]`), nil)
	f.run("", "inspect", "not-crdt")
	f.snapshot("map-root", 0, []byte(`{"type":"LiveMap","entries":{"a":{"type":"LiveList","items":[{"position":"a0","value":1}]}}}`), nil)
	f.run("", "inspect", "--", "map-root")
	f.golden("inspect")
}
