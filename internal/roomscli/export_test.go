package roomscli

import (
	"encoding/json"
	"testing"
	"time"

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
	f.golden("export")
}
