package lively_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/internal/wstest"
	"github.com/lively-actor/lively/internal/ywstest"
	"github.com/lively-actor/lively/store"
)

const ywait = 15 * time.Second

func TestYjs_StockProviderSyncLateJoinerAndConcurrentEdits(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	a := ywstest.Start(t, ts.url+"/yjs", "doc1", ywstest.WithTypes(map[string]string{"t": "text", "m": "map"}))
	a.WaitSynced(ywait)
	a.InsertText("t", 0, "hello")
	a.MapSet("m", "k", 1)
	b := ywstest.Start(t, ts.url+"/yjs", "doc1", ywstest.WithTypes(map[string]string{"t": "text", "m": "map"}))
	b.WaitSynced(ywait)
	b.WaitStateJSON(a.StateJSON(), ywait) // the late joiner got everything
	// concurrent edits from both converge
	a.InsertText("t", 5, " world")
	b.MapSet("m", "b", "from b")
	b.InsertText("t", 0, ">")
	state := ywstest.WaitConverged(t, ywait, a, b)
	if !strings.Contains(state, `"b":"from b"`) || !strings.Contains(state, "hello") {
		t.Fatalf("converged state %s", state)
	}
	// the /workspaces/{id}/sync path reaches the same document
	c := ywstest.Start(t, ts.url+"/workspaces/doc1", "sync", ywstest.WithTypes(map[string]string{"t": "text", "m": "map"}))
	c.WaitSynced(ywait)
	c.WaitStateJSON(state, ywait)
}

func TestYjs_AwarenessEchoAndRemoval(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	a := ywstest.Start(t, ts.url+"/yjs", "aw")
	b := ywstest.Start(t, ts.url+"/yjs", "aw")
	a.WaitSynced(ywait)
	b.WaitSynced(ywait)
	a.SetAwareness(map[string]any{"user": "alice"})
	b.SetAwareness(map[string]any{"user": "bob"})
	both := func(m map[uint64]any) bool {
		s, _ := json.Marshal(m)
		return strings.Contains(string(s), "alice") && strings.Contains(string(s), "bob")
	}
	a.WaitAwareness(both, ywait)
	b.WaitAwareness(both, ywait)
	// a killed client sends nothing: the server removes its state on close
	b.Kill()
	a.WaitAwareness(func(m map[uint64]any) bool {
		s, _ := json.Marshal(m)
		return !strings.Contains(string(s), "bob") && strings.Contains(string(s), "alice")
	}, ywait)
}

func TestYjs_OfflineEditsThenReconnect(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	types := ywstest.WithTypes(map[string]string{"a": "array"})
	a := ywstest.Start(t, ts.url+"/yjs", "off", types, ywstest.WithMaxBackoffTime(100*time.Millisecond))
	b := ywstest.Start(t, ts.url+"/yjs", "off", types)
	a.WaitSynced(ywait)
	b.WaitSynced(ywait)
	a.Disconnect()
	a.ArrayPush("a", "offline-1", "offline-2")
	b.ArrayPush("a", "online")
	a.Reconnect()
	state := ywstest.WaitConverged(t, ywait, a, b)
	if !strings.Contains(state, "offline-2") || !strings.Contains(state, "online") {
		t.Fatalf("state %s", state)
	}
}

// TestYjs_MixedLivelyAndYWebsocket: a Lively client speaking yjs:* JSON in
// /rooms/mixed and a stock provider on /yjs/mixed edit one document live.
func TestYjs_MixedLivelyAndYWebsocket(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	y := ywstest.Start(t, ts.url+"/yjs", "mixed", ywstest.WithTypes(map[string]string{"list": "array"}))
	y.WaitSynced(ywait)
	y.ArrayPush("list", "from-yws")

	l := ts.join("mixed", "alice")
	// the joiner gets the document as yjs:sync-step2 (after presence and storage:init)
	m := l.NextOfType("yjs:sync-step2")
	doc := yjs.NewDoc()
	applyB64(t, doc, m.Data)
	if got := rootJSON(t, doc, "list"); got != `["from-yws"]` {
		t.Fatalf("lively client document %s", got)
	}
	// a Lively yjs:update reaches the provider
	up, err := doc.Transact(777, func(tx *yjs.Txn) error { return tx.ArrayPush("list", yjs.Any{Kind: yjs.AnyString, Str: "from-lively"}) })
	if err != nil {
		t.Fatal(err)
	}
	l.Send(`{"type":"yjs:update","data":"` + base64.StdEncoding.EncodeToString(up) + `"}`)
	y.WaitState(func(s map[string]any) bool {
		b, _ := json.Marshal(s["list"])
		return strings.Contains(string(b), "from-lively")
	}, ywait)
	// and the provider's edit reaches the Lively client as yjs:update
	y.ArrayPush("list", "second")
	m = l.NextOfType("yjs:update")
	applyB64(t, doc, m.Data)
	if got := rootJSON(t, doc, "list"); !strings.Contains(got, "second") {
		t.Fatalf("lively doc %s", got)
	}
	// bad base64 and bad bytes are dropped, the room keeps serving
	l.Send(`{"type":"yjs:update","data":"!!!"}`)
	l.Send(`{"type":"yjs:update","data":"` + base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff}) + `"}`)
	l.Send(`{"type":"yjs:sync-step1","data":"` + base64.StdEncoding.EncodeToString([]byte{0}) + `"}`)
	if m := l.NextOfType("yjs:sync-step2"); len(m.Data) < 30 {
		t.Fatalf("sync-step2 reply %s", m.Data)
	}
}

func applyB64(t *testing.T, doc *yjs.Doc, msg []byte) {
	t.Helper()
	var v struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(msg, &v); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(v.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Apply(b); err != nil {
		t.Fatal(err)
	}
}

func rootJSON(t *testing.T, doc *yjs.Doc, name string) string {
	t.Helper()
	b, err := doc.Root(name, yjs.RootArray).AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestYjs_DocumentPersistsAcrossRestart(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	st := store.OpenMemory()
	srv, err := lively.New(lively.Config{Store: st, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	url := "ws://" + srv.Addr().String()
	a := ywstest.Start(t, url+"/yjs", "kept", ywstest.WithTypes(map[string]string{"t": "text"}))
	a.WaitSynced(ywait)
	a.InsertText("t", 0, "persist me")
	// wait until the server has it: a second client sees it
	b := ywstest.Start(t, url+"/yjs", "kept", ywstest.WithTypes(map[string]string{"t": "text"}))
	b.WaitStateJSON(a.StateJSON(), ywait)
	a.Quit()
	b.Quit()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, lively.Config{Store: st})
	c := ywstest.Start(t, ts.url+"/yjs", "kept", ywstest.WithTypes(map[string]string{"t": "text"}))
	c.WaitSynced(ywait)
	if s := c.StateJSON(); !strings.Contains(s, "persist me") {
		t.Fatalf("after restart: %s", s)
	}
	_ = wstest.Wait
}

// TestYjs_LoneClientStaysConnected65s is long: a lone stock provider must
// stay connected past its 30 s silence watchdog (the server echoes its
// awareness renewals) and past the 30 s server pings.
func TestYjs_LoneClientStaysConnected65s(t *testing.T) {
	if testing.Short() {
		t.Skip("long test (65 s) skipped in -short")
	}
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	a := ywstest.Start(t, ts.url+"/yjs", "lone")
	a.WaitSynced(ywait)
	start := a.EventCount()
	deadline := time.Now().Add(65 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second) // the test's subject is elapsed time itself
		if st := a.Status(); !st.WSConnected {
			t.Fatalf("lone client disconnected: %+v", st)
		}
	}
	for _, e := range a.Events()[start:] {
		if e.Name == "connection-close" {
			t.Fatalf("connection closed during the 65 s: %+v", e)
		}
	}
}

func TestYjs_RawProtocolDetails(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	c := wstest.Dial(t, ts.url+"/yjs/raw")
	if m := c.Next(); !m.Binary || len(m.Data) < 3 || m.Data[0] != 0 || m.Data[1] != 0 {
		t.Fatalf("first message must be SyncStep1, got %x", m.Data)
	}
	c.SendBinary([]byte{200})        // unknown type: ignored
	c.SendBinary([]byte{0, 9})       // malformed sync: dropped
	c.SendBinary([]byte{1, 5, 1, 2}) // truncated awareness: dropped
	c.SendBinary([]byte{3})          // query awareness: answered (no states yet)
	if m := c.Next(); !m.Binary || m.Data[0] != 1 {
		t.Fatalf("query-awareness answer %x", m.Data)
	}
	c.SendBinary([]byte{102, 2, 'h', 'i'}) // sync status: echoed unchanged
	if m := c.Next(); string(m.Data) != string([]byte{102, 2, 'h', 'i'}) {
		t.Fatalf("sync-status echo %x", m.Data)
	}
	c.SendBinary([]byte{0, 0, 1, 0}) // SyncStep1 with an empty state vector
	if m := c.Next(); m.Data[0] != 0 || m.Data[1] != 1 {
		t.Fatalf("SyncStep2 answer %x", m.Data)
	}

	secured := newTestServer(t, lively.Config{JWTSecret: []byte("k")})
	d := wstest.Dial(t, secured.url+"/yjs/raw")
	if code, _ := d.WaitClosed(); code != 4401 {
		t.Fatalf("unauthenticated y-websocket close code %d, want 4401 (stops stock clients retrying)", code)
	}
	if _, status, _ := wstest.TryDial(t, secured.url+"/rooms/raw"); status != 401 {
		t.Fatalf("lively endpoint keeps the bare 401: %d", status)
	}
}
