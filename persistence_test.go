package lively_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/internal/wstest"
	"github.com/lively-actor/lively/store"
)

// TestPersistence_RestartKeepsStorage writes through WebSocket clients and a
// server mutation, stops the server gracefully, starts a new one on the same
// store and checks a new client gets the same document; for the memory and
// SQLite stores.
func TestPersistence_RestartKeepsStorage(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return store.OpenMemory() },
		"sqlite": func(t *testing.T) store.Store {
			st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "lively.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			defer st.Close()
			cfg := lively.Config{Store: st, FlushInterval: 10 * time.Millisecond, SnapshotEvery: 3}
			srv, err := lively.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			ts := &testServer{t: t, srv: srv, url: "ws://" + srv.Addr().String()}
			a := ts.join("p", "alice")
			a.NextOfType("storage:init")
			a.Send(`{"type":"storage:init","root":` + seedRoot + `}`)
			a.NextOfType("storage:init")
			for i := 1; i <= 5; i++ {
				a.Send(`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"count","value":` + string(rune('0'+i)) + `,"clock":1}]}`)
				a.NextOfType("storage:ops")
			}
			if err := srv.MutateStorage(context.Background(), "p", func(root *crdt.Object) error {
				return root.Set("byServer", crdt.Raw(`true`))
			}); err != nil {
				t.Fatal(err)
			}
			a.NextOfType("storage:ops")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Stop(ctx); err != nil {
				t.Fatal(err)
			}

			ts2 := newTestServer(t, lively.Config{Store: st})
			b := ts2.join("p", "bob")
			m := b.NextOfType("storage:init")
			if !strings.Contains(string(m.Data), `"count":5`) || !strings.Contains(string(m.Data), `"byServer":true`) ||
				!strings.Contains(string(m.Data), `"todos":{"type":"LiveList","items":[]}`) {
				t.Fatalf("restored storage %s", m.Data)
			}
		})
	}
}

// TestPersistence_StoreIsCacheInFrontOfInitialStorage: the hook is asked
// only when the store has nothing, and its document is then stored.
func TestPersistence_StoreIsCacheInFrontOfInitialStorage(t *testing.T) {
	st := store.OpenMemory()

	var calls atomic.Int32
	ts := newTestServer(t, lively.Config{Store: st, FlushInterval: time.Millisecond,
		InitialStorage: func(context.Context, string) (json.RawMessage, error) {
			calls.Add(1)
			return json.RawMessage(`{"type":"LiveObject","data":{"fromHook":1}}`), nil
		}})
	c := ts.join("h", "u")
	if m := c.NextOfType("storage:init"); !strings.Contains(string(m.Data), `"fromHook":1`) {
		t.Fatalf("%s", m.Data)
	}
	checkFor(t, 5*time.Second, func() error {
		_, err := st.Load(context.Background(), "h")
		return err
	})
	if n := calls.Load(); n != 1 {
		t.Fatalf("hook called %d times", n)
	}
}

// TestPersistence_IdleRoomWritesNothingLoadedLogIsFolded: a room that only
// had presence traffic writes nothing to the store; a room loaded from a
// change log (as after a crash) folds it into a snapshot when it stops, even
// with no new change.
func TestPersistence_IdleRoomWritesNothingLoadedLogIsFolded(t *testing.T) {
	st := store.OpenMemory()
	ctx := context.Background()
	if _, err := st.Append(ctx, "logged", []store.Change{
		{Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveObject","data":{"n":1}}`)},
		{Kind: store.KindStorage, Data: []byte(`[{"type":"set","path":[],"key":"n","value":2,"clock":5}]`)},
	}); err != nil {
		t.Fatal(err)
	}
	srv, err := lively.New(lively.Config{Store: st, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, srv: srv, url: "ws://" + srv.Addr().String()}
	idle := ts.join("idle", "alice")
	idle.NextOfType("storage:init")
	idle.Send(`{"type":"heartbeat"}`)
	logged := ts.join("logged", "bob")
	if m := logged.NextOfType("storage:init"); !strings.Contains(string(m.Data), `"n":2`) {
		t.Fatalf("loaded %s", m.Data)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, "idle"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("idle room stored something: %v", err)
	}
	r, err := st.Load(ctx, "logged")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changes) != 0 || !strings.Contains(string(r.Snapshot.Storage), `"n":2`) {
		t.Fatalf("log not folded: %d changes, snapshot %s", len(r.Changes), r.Snapshot.Storage)
	}
}

// failFirstLoad is a store whose first Load of a room fails.
type failFirstLoad struct {
	store.Store
	failed atomic.Bool
}

func (s *failFirstLoad) Load(ctx context.Context, id string) (*store.Room, error) {
	if s.failed.CompareAndSwap(false, true) {
		return nil, errors.New("disk on fire")
	}
	return s.Store.Load(ctx, id)
}

// TestPersistence_FailedLoadStopsRoomNextJoinRetries: a room whose store
// load fails closes its members (1011) and stops; the registry forgets it,
// so the next join starts the room afresh and loads it.
func TestPersistence_FailedLoadStopsRoomNextJoinRetries(t *testing.T) {
	mem := store.OpenMemory()
	if _, err := mem.Append(context.Background(), "r", []store.Change{
		{Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveObject","data":{"kept":true}}`)},
	}); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, lively.Config{Store: &failFirstLoad{Store: mem}})
	// The first client reached the failing room: refused with 503 if its
	// admission came after the failure, closed with 1011 if it got in.
	a, status, err := wstest.TryDial(t, ts.roomURL("r", "alice", "alice"))
	switch {
	case err != nil && status != http.StatusServiceUnavailable:
		t.Fatalf("first dial: status %d, %v", status, err)
	case err == nil:
		if code, _ := a.WaitClosed(); code != 1011 {
			t.Fatalf("close code %d, want 1011", code)
		}
	}
	b := ts.join("r", "bob")
	if m := b.NextOfType("storage:init"); !strings.Contains(string(m.Data), `"kept":true`) {
		t.Fatalf("storage after the retry: %s", m.Data)
	}
}
