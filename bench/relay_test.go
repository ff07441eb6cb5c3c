package bench

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

func dialTest(t *testing.T, url string) *clientConn {
	t.Helper()
	c, relay, err := dialClient(context.Background(), url, dialOptions{timeout: 5 * time.Second, writeTimeout: 5 * time.Second, maxMessage: 1 << 20})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if !relay {
		t.Errorf("%s: relay header missing", url)
	}
	t.Cleanup(func() { c.conn.Close() })
	return c
}

// readWithin reads the next data message, failing after d.
func readWithin(t *testing.T, c *clientConn, d time.Duration) (ws.OpCode, []byte, error) {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	defer c.conn.SetReadDeadline(time.Time{})
	op, p, err := c.readNext()
	return op, append([]byte(nil), p...), err
}

func TestRelay_RoomsForwardToOthersOnly(t *testing.T) {
	url := startRelay(t)
	a := dialTest(t, url+"/rooms/r1?userId=a")
	b := dialTest(t, url+"/rooms/r1?userId=b")
	other := dialTest(t, url+"/rooms/r2")
	// b is in the room once its handshake is done; a message from a reaches b.
	if err := a.write(ws.OpText, []byte(`{"type":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if err := a.write(ws.OpBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		op ws.OpCode
		p  string
	}{{ws.OpText, `{"type":"x"}`}, {ws.OpBinary, "\x01\x02\x03"}} {
		op, p, err := readWithin(t, b, 5*time.Second)
		if err != nil || op != want.op || string(p) != want.p {
			t.Fatalf("b got %v %q %v, want %v %q", op, p, err, want.op, want.p)
		}
	}
	for _, c := range []*clientConn{a, other} {
		if _, _, err := readWithin(t, c, 100*time.Millisecond); err == nil {
			t.Error("a message reached the sender or another room")
		}
	}
}

func TestRelay_PingAndClose(t *testing.T) {
	url := startRelay(t)
	c := dialTest(t, url+"/rooms/r")
	if err := c.write(ws.OpPing, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	op, p, err := c.fr.next()
	if err != nil || op != ws.OpPong || string(p) != "hi" {
		t.Fatalf("got %v %q %v, want pong", op, p, err)
	}
	if err := c.sendClose(time.Second); err != nil {
		t.Fatal(err)
	}
	op, p, err = c.fr.next()
	if err != nil || op != ws.OpClose {
		t.Fatalf("got %v %v, want close reply", op, err)
	}
	if code, _ := ws.ParseCloseFrameData(p); code != ws.StatusNormalClosure {
		t.Errorf("close code %d", code)
	}
}

func TestRelay_YjsSync(t *testing.T) {
	url := startRelay(t)
	a := dialTest(t, url+"/yjs/doc")
	b := dialTest(t, url+"/yjs/doc")
	for _, c := range []*clientConn{a, b} {
		op, p, err := readWithin(t, c, 5*time.Second)
		if err != nil || op != ws.OpBinary || string(p) != ywsEmptySyncStep1 {
			t.Fatalf("first message %v %x %v, want empty SyncStep1", op, p, err)
		}
	}
	if err := a.write(ws.OpBinary, []byte{0, 0, 1, 0}); err != nil {
		t.Fatal(err)
	}
	if _, p, err := readWithin(t, a, 5*time.Second); err != nil || string(p) != ywsEmptySyncStep2 {
		t.Fatalf("step1 answer %x %v, want empty SyncStep2", p, err)
	}
	w := yTextWriter{client: 7}
	upd := append([]byte(nil), w.insert([]byte("12 "))...)
	if err := a.write(ws.OpBinary, upd); err != nil {
		t.Fatal(err)
	}
	if _, p, err := readWithin(t, b, 5*time.Second); err != nil || !bytes.Equal(p, upd) {
		t.Fatalf("b got %x %v, want the update", p, err)
	}
}

func TestRelay_RejectsOtherPaths(t *testing.T) {
	url := startRelay(t)
	for path, status := range map[string]int{"/x/r1": 404, "/rooms": 404, "/rooms/": 400, "/yjs//a": 400} {
		_, _, err := dialClient(context.Background(), url+path, dialOptions{timeout: 5 * time.Second, writeTimeout: time.Second, maxMessage: 1024})
		var se ws.StatusError
		if !errors.As(err, &se) || int(se) != status {
			t.Errorf("%s: err %v, want status %d", path, err, status)
		}
	}
}

func TestRelay_DropsMemberThatNeverReads(t *testing.T) {
	url := startRelay(t)
	sender := dialTest(t, url+"/rooms/slow")
	stuck := dialTest(t, url+"/rooms/slow") // never reads until the end
	// A small receive buffer stops the kernel from absorbing the backlog
	// (loopback receive buffers autotune to tens of MiB).
	if err := stuck.conn.(*net.TCPConn).SetReadBuffer(16 << 10); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 64<<10)
	// Three times the outbox limit: beyond the relay's send buffer (at most
	// a few MiB), so the relay must drop the stuck member instead of
	// queueing without bound.
	for range 3 * relayOutboxBytes / len(big) {
		if err := sender.write(ws.OpBinary, big); err != nil {
			t.Fatalf("sender: %v", err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, err := readWithin(t, stuck, time.Until(deadline))
		if err == nil {
			continue
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("stuck member still connected")
		}
		break // EOF or reset: dropped
	}
	// The sender is unaffected.
	if err := sender.write(ws.OpText, []byte("still here")); err != nil {
		t.Errorf("sender after drop: %v", err)
	}
}

func TestRelayPath(t *testing.T) {
	cases := []struct {
		uri    string
		key    string
		yjs    bool
		status int
	}{
		{uri: "/rooms/a?userId=x", key: "rooms/a"},
		{uri: "/rooms/a/b", key: "rooms/a"},
		{uri: "/yjs/d", key: "yjs/d", yjs: true},
		{uri: "/rooms/", status: 400},
		{uri: "/", status: 404},
	}
	for _, tc := range cases {
		key, yjs, status := relayPath(tc.uri)
		if key != tc.key || yjs != tc.yjs || status != tc.status {
			t.Errorf("relayPath(%q) = %q %v %d", tc.uri, key, yjs, status)
		}
	}
}

func TestRunRelay_BadAddress(t *testing.T) {
	err := RunRelay(context.Background(), "256.0.0.1:0", nil)
	if err == nil || !strings.Contains(err.Error(), "256.0.0.1") {
		t.Errorf("err %v", err)
	}
}
