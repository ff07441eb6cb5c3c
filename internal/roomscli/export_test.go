package roomscli

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/store"
)

func TestExport(t *testing.T) {
	f := newFixture(t)
	f.run("", "export", "nope")

	f.snapshot("doc", time.Minute, []byte(`{"type":"LiveObject","data":{"z":"<b>&","a":{"type":"LiveList","items":[]}}}`),
		[]byte{0, 1, 2, 250})
	out, _, code := f.run("", "export", "doc")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}

	f.append("doc", 0, store.Change{Kind: store.KindYjs, Data: []byte{9}})
	f.run("", "export", "doc")

	f.append("pending-init", 0,
		store.Change{Kind: store.KindStorage, Data: []byte(`[]`)},
		store.Change{Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveMap","entries":{}}`)})
	f.run("", "export", "pending-init")

	f.append("yjs-only", 0, store.Change{Kind: store.KindYjs, Data: []byte{9}})
	f.run("", "export", "yjs-only")

	// Pending Yjs updates are replayed into the exported document.
	ydoc := yjs.NewDoc()
	var updates [][]byte
	for _, s := range []string{"a", "b"} {
		u, err := ydoc.Transact(7, func(tx *yjs.Txn) error {
			return tx.ArrayPush("list", yjs.Any{Kind: yjs.AnyString, Str: s})
		})
		if err != nil {
			t.Fatal(err)
		}
		updates = append(updates, u)
	}
	f.snapshot("yjs-live", 0, nil, updates[0])
	f.append("yjs-live", 0, store.Change{Kind: store.KindYjs, Data: updates[1]})
	out, _, code = f.run("", "export", "yjs-live")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var exp struct{ Yjs string }
	if err := json.Unmarshal([]byte(out), &exp); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(exp.Yjs)
	if err != nil {
		t.Fatal(err)
	}
	got := yjs.NewDoc()
	if err := got.Load(raw); err != nil {
		t.Fatal(err)
	}
	if items := got.Root("list", yjs.RootArray).Items; len(items) != 2 || items[1].Str != "b" {
		t.Fatalf("exported Yjs list %v, want [a b]", items)
	}
	f.golden("export")
}
