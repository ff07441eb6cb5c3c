package lively_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/actors"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/internal/wstest"
)

const seedRoot = `{"type":"LiveObject","data":{"count":0,"todos":{"type":"LiveList","items":[]}}}`

func TestStorage_ClientInitBroadcastOpsLateJoiner(t *testing.T) {
	changes := make(chan lively.StorageChange, 16)
	ts := newTestServer(t, lively.Config{OnStorageChange: func(_ context.Context, room string, c lively.StorageChange) { changes <- c }})
	a := ts.join("st", "alice")
	if m := a.NextOfType("storage:init"); string(m.Data) != `{"type":"storage:init","root":null}` {
		t.Fatalf("first init %s", m.Data)
	}
	b := ts.join("st", "bob")
	b.NextOfType("storage:init")
	// ops before init are ignored
	a.Send(`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"x","value":1,"clock":1}]}`)
	a.Send(`{"type":"storage:init","root":` + seedRoot + `}`)
	want := `{"type":"storage:init","root":` + seedRoot + `}`
	if m := a.NextOfType("storage:init"); string(m.Data) != want {
		t.Fatalf("init echo %s", m.Data)
	}
	if m := b.NextOfType("storage:init"); string(m.Data) != want {
		t.Fatalf("waiting client did not get the seeded init: %s", m.Data)
	}
	if c := <-changes; string(c.Root) != seedRoot {
		t.Fatalf("OnStorageChange for init: %+v", c)
	}
	// A second init is ignored, and its sender resynced with the real root.
	b.Send(`{"type":"storage:init","root":{"type":"LiveObject","data":{"other":true}}}`)
	if m := b.NextOfType("storage:init"); string(m.Data) != want {
		t.Fatalf("resync after ignored init: %s", m.Data)
	}
	// Ops: sequenced with the server clock, broadcast to all (sender included),
	// the client's keys and unknown fields kept, one message per batch; a bad
	// op inside the batch is dropped alone.
	a.Send(`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"count","value":5,"clock":1,"extra":"kept"},null,` +
		`{"type":"list-insert","path":["todos"],"position":"V","value":"milk","clock":1}]}`)
	// stamps: max(server clock 0, op clock 1)+1 = 2, then 3
	wantOps := `{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"count","value":5,"clock":2,"extra":"kept"},` +
		`{"type":"list-insert","path":["todos"],"position":"V","value":"milk","clock":3}],"clock":3}`
	if m := b.NextOfType("storage:ops"); string(m.Data) != wantOps {
		t.Fatalf("ops\n got %s\nwant %s", m.Data, wantOps)
	}
	if m := a.NextOfType("storage:ops"); string(m.Data) != wantOps {
		t.Fatalf("echo %s", m.Data)
	}
	if c := <-changes; !strings.Contains(string(c.Ops), `"key":"count"`) || c.Clock != 3 {
		t.Fatalf("OnStorageChange for ops: %s %d", c.Ops, c.Clock)
	}
	late := ts.join("st", "carol")
	m := late.NextOfType("storage:init")
	if !strings.Contains(string(m.Data), `"count":5`) || !strings.Contains(string(m.Data), `{"position":"V","value":"milk"}`) {
		t.Fatalf("late joiner snapshot %s", m.Data)
	}
	snap, err := ts.srv.StorageSnapshot("st")
	if err != nil || !strings.Contains(string(snap), `"count":5`) {
		t.Fatalf("snapshot %s %v", snap, err)
	}
}

func TestStorage_MutateStorageBroadcastsOneMessage(t *testing.T) {
	ts := newTestServer(t, lively.Config{InitialStorage: func(context.Context, string) (json.RawMessage, error) {
		return json.RawMessage(seedRoot), nil
	}})
	a := ts.join("mut", "alice")
	a.NextOfType("storage:init")
	err := ts.srv.MutateStorage(context.Background(), "mut", func(root *crdt.Object) error {
		root.Set("newKey", crdt.Raw(`"v"`))
		l, ok := root.Get("todos").(*crdt.List)
		if !ok {
			return errors.New("no todos list")
		}
		l.Push(crdt.Raw(`1`))
		l.Push(crdt.Raw(`2`))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := a.NextOfType("storage:ops")
	want := `{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"newKey","value":"v","clock":1},` +
		`{"type":"list-insert","path":["todos"],"position":"V","value":1,"clock":2},` +
		`{"type":"list-insert","path":["todos"],"position":"k","value":2,"clock":3}],"clock":3}`
	if string(m.Data) != want {
		t.Fatalf("mutate\n got %s\nwant %s", m.Data, want)
	}
	if err := ts.srv.MutateStorage(context.Background(), "missing", func(*crdt.Object) error { return nil }); err == nil {
		t.Fatal("mutating a missing room must fail")
	}
	ts2 := newTestServer(t, lively.Config{})
	c := ts2.join("empty", "x")
	c.NextOfType("storage:init")
	if err := ts2.srv.MutateStorage(context.Background(), "empty", func(*crdt.Object) error { return nil }); !errors.Is(err, actors.ErrNoStorage) {
		t.Fatalf("uninitialized storage: %v", err)
	}
}

func TestStorage_SlowInitialStorageEachJoinerGetsOneInit(t *testing.T) {
	release := make(chan struct{})
	var calls sync.WaitGroup
	calls.Add(1)
	var once sync.Once
	ts := newTestServer(t, lively.Config{InitialStorage: func(ctx context.Context, room string) (json.RawMessage, error) {
		once.Do(calls.Done)
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return json.RawMessage(`{"type":"LiveObject","data":{"loaded":true}}`), nil
	}})
	a := ts.join("slow", "alice")
	b := ts.join("slow", "bob")
	waitPresence(t, a, "alice", "bob")
	waitPresence(t, b, "alice", "bob")
	calls.Wait()
	close(release)
	want := `{"type":"storage:init","root":{"type":"LiveObject","data":{"loaded":true}}}`
	for _, c := range []*wstest.Client{a, b} {
		if m := c.NextOfType("storage:init"); string(m.Data) != want {
			t.Fatalf("init %s", m.Data)
		}
		// exactly one: the next storage message is our marker's echo
		c.Send(`{"type":"state:update","key":"` + c.String() + `","value":1,"timestamp":1}`)
		if m := c.Until("marker", func(m wstest.Msg) bool {
			return m.Type == "storage:init" || strings.Contains(string(m.Data), c.String())
		}); m.Type == "storage:init" {
			t.Fatalf("second storage:init: %s", m.Data)
		}
	}
}

func TestStorage_FailingOrHangingInitialStorageGivesNull(t *testing.T) {
	ts := newTestServer(t, lively.Config{
		Rooms: lively.RoomConfig{InitialStorageTimeout: 100 * time.Millisecond},
		InitialStorage: func(ctx context.Context, room string) (json.RawMessage, error) {
			if room == "fail" {
				return nil, errors.New("db down")
			}
			<-ctx.Done() // hangs until the deadline
			return json.RawMessage(seedRoot), nil
		},
	})
	for _, room := range []string{"fail", "hang"} {
		c := ts.join(room, "u")
		if m := c.NextOfType("storage:init"); string(m.Data) != `{"type":"storage:init","root":null}` {
			t.Fatalf("%s: %s", room, m.Data)
		}
	}
}

func TestStorage_UnappliableOpResyncsSender(t *testing.T) {
	ts := newTestServer(t, lively.Config{InitialStorage: func(context.Context, string) (json.RawMessage, error) {
		return json.RawMessage(seedRoot), nil
	}})
	a := ts.join("un", "alice")
	a.NextOfType("storage:init")
	a.Send(`{"type":"storage:ops","ops":[{"type":"set","path":["nope"],"key":"x","value":1,"clock":1}]}`)
	if m := a.Until("resync", func(m wstest.Msg) bool { return m.Type == "storage:init" || m.Type == "storage:ops" }); m.Type != "storage:init" {
		t.Fatalf("unappliable op was broadcast: %s", m.Data)
	}
}
