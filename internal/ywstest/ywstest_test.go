package ywstest_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively/internal/ywstest"
)

const wait = 10 * time.Second

// TestReferenceServer proves the harness against the reference y-websocket
// server: two stock providers per room, each scenario in its own room.
func TestReferenceServer(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	base := ywstest.StartReferenceServer(t) + "/yjs"

	t.Run("InitialSync", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "initial", ywstest.WithClientID(101), ywstest.WithName("a"))
		a.WaitSynced(wait)
		a.InsertText("t", 0, "hello")
		a.MapSet("m", "k", map[string]any{"n": 1, "s": "x<&>"})
		a.ArrayPush("a", 1, "two", nil, true)
		want := `{"a":[1,"two",null,true],"m":{"k":{"n":1,"s":"x<&>"}},"t":"hello"}`
		if got := a.StateJSON(); got != want {
			t.Fatalf("a state = %s, want %s", got, want)
		}
		// b joins later and gets everything through SyncStep2, without
		// declaring the root types (they are inferred).
		b := ywstest.Start(t, base, "initial", ywstest.WithClientID(102), ywstest.WithName("b"))
		b.WaitSynced(wait)
		b.WaitStateJSON(want, wait)
		if st := b.Status(); !st.Synced || !st.WSConnected || st.ClientID != 102 || !strings.HasSuffix(st.URL, "/yjs/initial") {
			t.Fatalf("b status = %+v", st)
		}
		if got := b.State(); !reflect.DeepEqual(got["t"], "hello") {
			t.Fatalf("b State()[t] = %v", got["t"])
		}
		if upd := a.EncodeState(); len(upd) == 0 || len(b.StateVector()) == 0 {
			t.Fatalf("empty encodeState/stateVector")
		}
	})

	t.Run("ConcurrentEditsConverge", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "concurrent", ywstest.WithName("a"))
		b := ywstest.Start(t, base, "concurrent", ywstest.WithName("b"))
		a.WaitSynced(wait)
		b.WaitSynced(wait)
		for i := range 5 {
			a.InsertText("t", 0, "A")
			b.InsertText("t", 0, "B")
			a.MapSet("m", "same", "a")
			b.MapSet("m", "same", "b")
			a.MapSet("m", "a"+string(rune('0'+i)), i)
			b.ArrayPush("l", "b")
			a.ArrayInsert("l", 0, "a")
		}
		b.DeleteText("t", 0, 1)
		final := ywstest.WaitConverged(t, wait, a, b)
		s := a.State()
		txt, _ := s["t"].(string)
		if strings.Count(txt, "A")+strings.Count(txt, "B") != 9 {
			t.Fatalf("text %q: want 9 letters in all", txt)
		}
		if l, _ := s["l"].([]any); len(l) != 10 {
			t.Fatalf("array = %v, want 10 elements", s["l"])
		}
		if m, _ := s["m"].(map[string]any); len(m) != 6 || (m["same"] != "a" && m["same"] != "b") {
			t.Fatalf("map = %v", s["m"])
		}
		t.Logf("converged: %s", final)
	})

	t.Run("Awareness", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "awareness", ywstest.WithClientID(201), ywstest.WithName("a"))
		b := ywstest.Start(t, base, "awareness", ywstest.WithClientID(202), ywstest.WithName("b"))
		a.WaitSynced(wait)
		b.WaitSynced(wait)
		a.SetAwareness(map[string]any{"user": map[string]any{"name": "Ann"}})
		b.SetAwareness(map[string]any{"user": map[string]any{"name": "Bob"}})
		both := func(m map[uint64]any) bool {
			return name(m[201]) == "Ann" && name(m[202]) == "Bob"
		}
		a.WaitAwareness(both, wait)
		b.WaitAwareness(both, wait)
		n := a.EventCount()
		b.SetAwarenessField("cursor", 7)
		ev := a.WaitEvent(n, func(e ywstest.Event) bool {
			return e.Name == "awareness" && !e.Local && reflect.DeepEqual(e.Updated, []uint64{202})
		}, wait)
		if ev.Local {
			t.Fatalf("event %v", ev)
		}
		got := a.WaitAwareness(func(m map[uint64]any) bool {
			s, _ := m[202].(map[string]any)
			return s["cursor"] == float64(7)
		}, wait)
		if len(got) != 2 {
			t.Fatalf("a knows %d states: %v", len(got), got)
		}
	})

	t.Run("OfflineEditThenReconnect", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "offline", ywstest.WithClientID(301), ywstest.WithName("a"))
		b := ywstest.Start(t, base, "offline", ywstest.WithClientID(302), ywstest.WithName("b"),
			ywstest.WithMaxBackoffTime(200*time.Millisecond))
		a.WaitSynced(wait)
		b.WaitSynced(wait)
		a.InsertText("t", 0, "base")
		b.WaitStateJSON(`{"t":"base"}`, wait)
		b.SetAwareness(map[string]any{"name": "b"})
		a.WaitAwareness(func(m map[uint64]any) bool { return m[302] != nil }, wait)

		n := b.EventCount()
		b.Disconnect()
		b.WaitEvent(n, ywstest.IsStatus("disconnected"), wait)
		if st := b.Status(); st.WSConnected || st.Synced || st.ShouldConnect {
			t.Fatalf("b after Disconnect: %+v", st)
		}
		// provider.disconnect() sends the awareness removal before closing.
		a.WaitAwareness(func(m map[uint64]any) bool { _, ok := m[302]; return !ok }, wait)

		b.InsertText("t", 4, "+offline")
		b.MapSet("m", "by", "b")
		a.InsertText("t", 0, "online+")
		a.WaitStateJSON(`{"t":"online+base"}`, wait)

		n = b.EventCount()
		b.Reconnect()
		b.WaitEvent(n, ywstest.IsStatus("connected"), wait)
		b.WaitSynced(wait)
		final := ywstest.WaitConverged(t, wait, a, b)
		if final != `{"m":{"by":"b"},"t":"online+base+offline"}` {
			t.Fatalf("converged to %s", final)
		}
		// The awareness clock did not move while offline, and the server
		// keeps the removal's clock, so only a new state reaches a.
		b.SetAwareness(map[string]any{"name": "b2"})
		a.WaitAwareness(func(m map[uint64]any) bool {
			s, _ := m[302].(map[string]any)
			return s["name"] == "b2"
		}, wait)
	})

	t.Run("AwarenessRemovedOnQuitAndKill", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "leave", ywstest.WithClientID(401), ywstest.WithName("a"))
		b := ywstest.Start(t, base, "leave", ywstest.WithClientID(402), ywstest.WithName("b"))
		c := ywstest.Start(t, base, "leave", ywstest.WithClientID(403), ywstest.WithName("c"))
		for _, x := range []*ywstest.Client{a, b, c} {
			x.WaitSynced(wait)
			x.SetAwareness(map[string]any{"user": map[string]any{"name": x.Name()}})
		}
		all := func(m map[uint64]any) bool { return len(m) == 3 && name(m[402]) == "b" && name(m[403]) == "c" }
		a.WaitAwareness(all, wait)

		// Graceful: the provider itself sends a null state, then closes.
		n := a.EventCount()
		b.Quit()
		if !b.Exited() {
			t.Fatal("b still running after Quit")
		}
		a.WaitEvent(n, func(e ywstest.Event) bool {
			return e.Name == "awareness" && reflect.DeepEqual(e.Removed, []uint64{402})
		}, wait)

		// Abrupt: no close frame, no null state; the server must remove the
		// states that connection brought.
		c.Kill()
		got := a.WaitAwareness(func(m map[uint64]any) bool { _, ok := m[403]; return !ok }, wait)
		if len(got) != 1 || name(got[401]) != "a" {
			t.Fatalf("a's awareness after both left: %v", got)
		}
	})

	t.Run("OfflineStartAndHeaders", func(t *testing.T) {
		t.Parallel()
		a := ywstest.Start(t, base, "offline-start", ywstest.WithoutConnect(),
			ywstest.WithHeaders(map[string]string{"Authorization": "Bearer x"}),
			ywstest.WithParams(map[string]string{"token": "t1"}),
			ywstest.WithTypes(map[string]string{"empty": "array"}))
		a.ArrayPush("l", "before connect")
		if st := a.Status(); st.WSConnected || st.WSConnecting || !strings.HasSuffix(st.URL, "?token=t1") {
			t.Fatalf("status before connect: %+v", st)
		}
		a.Reconnect()
		a.WaitSynced(wait)
		b := ywstest.Start(t, base, "offline-start", ywstest.WithTypes(map[string]string{"empty": "array"}))
		b.WaitSynced(wait)
		b.WaitStateJSON(`{"empty":[],"l":["before connect"]}`, wait)
		if _, err := b.Call("nope", nil); err == nil || !strings.Contains(err.Error(), "unknown command") {
			t.Fatalf("unknown command: err = %v", err)
		}
	})
}

func name(state any) string {
	s, _ := state.(map[string]any)
	u, _ := s["user"].(map[string]any)
	if n, ok := u["name"].(string); ok {
		return n
	}
	n, _ := s["name"].(string)
	return n
}

// TestNodeAvailableMessage checks that NodeAvailable either finds everything
// or says what is missing.
func TestNodeAvailableMessage(t *testing.T) {
	dir, err := ywstest.NodeAvailable()
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error")
		}
		t.Skipf("unavailable (as reported): %v", err)
	}
	if !strings.HasSuffix(dir, "node") {
		t.Fatalf("dir = %q", dir)
	}
}
