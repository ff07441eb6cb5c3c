package rest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lively-actor/lively/crdt/yjs"
)

func TestMemoryBackend_Exec_HonorsContext(t *testing.T) {
	mem := NewMemoryBackend()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := mem.Exec(ctx, "w", &yjs.TableOp{Kind: yjs.OpListRows, Table: "t"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if err := mem.ApplyUpdate("w", []byte{0xff}); err == nil {
		t.Fatal("garbage update accepted")
	}
	if ws, _ := mem.Workspaces(context.Background()); len(ws) != 0 {
		t.Fatalf("a rejected update created %v", ws)
	}
	if s, err := mem.EncodeState("none"); s != nil || err != nil {
		t.Fatalf("state of a missing workspace: %x %v", s, err)
	}
	// default clock: wall time
	if _, err := mem.Exec(context.Background(), "w", &yjs.TableOp{Kind: yjs.OpSetKey, Key: "k", Value: yjs.Any{Kind: yjs.AnyNull}}); err != nil {
		t.Fatal(err)
	}
	state, _ := mem.EncodeState("w")
	doc := yjs.NewDoc()
	_ = doc.Apply(state)
	if r, _ := yjs.ReadKey(doc, "k"); r.TS < float64(time.Now().Add(-time.Hour).UnixMilli()) {
		t.Fatalf("ts %v is not wall time", r.TS)
	}
}
