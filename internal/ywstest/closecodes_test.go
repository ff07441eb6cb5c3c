package ywstest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/lively-actor/lively/internal/ywstest"
)

// closingServer accepts WebSocket connections on any path and closes each at
// once with code and reason; /deny answers the upgrade with 403.
func closingServer(t *testing.T, code ws.StatusCode, reason string) (base string, conns *atomic.Int32) {
	conns = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/deny/") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return
		}
		defer conn.Close()
		conns.Add(1)
		_ = ws.WriteFrame(conn, ws.NewCloseFrame(ws.NewCloseFrameBody(code, reason)))
		// Wait (bounded) for the client's close frame, then drop the socket.
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = ws.ReadFrame(conn)
	}))
	t.Cleanup(srv.Close)
	return "ws://" + srv.Listener.Addr().String(), conns
}

// TestCloseCodes checks the events the harness reports for server closes:
// 4400–4499 stop the stock provider, other codes make it retry.
func TestCloseCodes(t *testing.T) {
	ywstest.SkipIfUnavailable(t)

	t.Run("4403StopsReconnecting", func(t *testing.T) {
		t.Parallel()
		base, _ := closingServer(t, 4403, "forbidden")
		c := ywstest.Start(t, base+"/yjs", "doc")
		ev := c.WaitEvent(0, ywstest.IsEvent("closed"), wait)
		if ev.Code != 4403 || ev.Reason != "forbidden" {
			t.Fatalf("closed event %v", ev)
		}
		cl := c.WaitEvent(0, ywstest.IsClose(4403), wait)
		if cl.Seq > ev.Seq {
			t.Fatalf("connection-close %v after closed %v", cl, ev)
		}
		if st := c.Status(); st.ShouldConnect || st.WSConnected || st.Synced {
			t.Fatalf("status after 4403: %+v", st)
		}
	})

	t.Run("4500Retries", func(t *testing.T) {
		t.Parallel()
		base, conns := closingServer(t, 4500, "later")
		c := ywstest.Start(t, base+"/yjs", "doc", ywstest.WithMaxBackoffTime(50*time.Millisecond))
		first := c.WaitEvent(0, ywstest.IsClose(4500), wait)
		c.WaitEvent(first.Seq+1, ywstest.IsClose(4500), wait)
		if n := conns.Load(); n < 2 {
			t.Fatalf("%d connections, want a retry", n)
		}
		if st := c.Status(); !st.ShouldConnect {
			t.Fatalf("status after 4500: %+v", st)
		}
	})

	t.Run("UpgradeRefused", func(t *testing.T) {
		t.Parallel()
		base, _ := closingServer(t, 1000, "")
		c := ywstest.Start(t, base+"/deny", "doc", ywstest.WithMaxBackoffTime(50*time.Millisecond))
		e := c.WaitEvent(0, ywstest.IsEvent("connection-error"), wait)
		if !strings.Contains(e.Message, "403") {
			t.Fatalf("connection-error %v", e)
		}
		cl := c.WaitEvent(0, ywstest.IsClose(0), wait)
		if cl.Code != 1006 {
			t.Fatalf("connection-close %v, want 1006", cl)
		}
	})
}
