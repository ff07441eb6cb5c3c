package lively_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/crdt"
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
