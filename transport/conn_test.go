package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait bounds every wait of these tests; nothing is timed.
const wait = 10 * time.Second

// readerModes are the two ways a hub reads connections; every connection
// test runs against both.
var readerModes = []struct {
	name      string
	goroutine bool
}{
	{"epoll", false},
	{"goroutine", true},
}

func forEachMode(t *testing.T, f func(t *testing.T, opts Options)) {
	for _, m := range readerModes {
		t.Run(m.name, func(t *testing.T) {
			f(t, Options{GoroutineReaders: m.goroutine})
		})
	}
}

// recSink records what a connection delivers.
type recSink struct {
	mu     sync.Mutex
	msgs   []recMsg
	got    chan struct{} // signalled on each message
	closed chan CloseReason
	onMsg  func(c *Conn, op OpCode, p []byte)
}

type recMsg struct {
	op OpCode
	p  []byte
}

func newRecSink() *recSink {
	return &recSink{got: make(chan struct{}, 1<<16), closed: make(chan CloseReason, 1)}
}

func (s *recSink) OnMessage(c *Conn, op OpCode, p []byte) {
	s.mu.Lock()
	s.msgs = append(s.msgs, recMsg{op, p})
	s.mu.Unlock()
	if s.onMsg != nil {
		s.onMsg(c, op, p)
	}
	s.got <- struct{}{}
}

func (s *recSink) OnClose(_ *Conn, r CloseReason) {
	select {
	case s.closed <- r:
	default:
		panic("OnClose called twice")
	}
}

func (s *recSink) messages() []recMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recMsg(nil), s.msgs...)
}

func (s *recSink) waitMessages(t *testing.T, n int) []recMsg {
	t.Helper()
	deadline := time.After(wait)
	for {
		if m := s.messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("got %d messages, want %d", len(s.messages()), n)
		}
	}
}

func (s *recSink) waitClosed(t *testing.T) CloseReason {
	t.Helper()
	select {
	case r := <-s.closed:
		s.closed <- r // keep it for later checks
		return r
	case <-time.After(wait):
		t.Fatal("OnClose not called")
		return 0
	}
}

// testServer accepts loopback TCP connections and hands each, as if
// upgraded, to a hub.
type testServer struct {
	hub   *Hub
	ln    net.Listener
	conns chan served
	// buffered, if set, gives the bytes "read past the handshake" for
	// the i-th connection.
	buffered func(i int) []byte
	sink     func() *recSink
	small    bool // small socket buffers on the server side
	wg       sync.WaitGroup
}

type served struct {
	c    *Conn
	sink *recSink
}

func newTestServer(t *testing.T, opts Options, setup ...func(*testServer)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{hub: NewHub(opts, NewMetrics(nil)), ln: ln, conns: make(chan served, 1024), sink: newRecSink}
	for _, f := range setup {
		f(s)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = ln.Close()
		s.wg.Wait()
		if err := s.hub.Shutdown(ctx, ReasonShutdown); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

func (s *testServer) accept() {
	defer s.wg.Done()
	for i := 0; ; i++ {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		if s.small {
			_ = nc.(*net.TCPConn).SetWriteBuffer(64 << 10) // best effort: only makes the test quicker
		}
		var buf []byte
		if s.buffered != nil {
			buf = s.buffered(i)
		}
		c := s.hub.NewConn(nc, buf, false, false)
		if c == nil {
			_ = nc.Close()
			continue
		}
		sink := s.sink()
		s.conns <- served{c, sink}
		s.hub.Serve(c, sink)
	}
}

func (s *testServer) dial(t *testing.T) (*testClient, served) {
	t.Helper()
	nc, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	select {
	case sv := <-s.conns:
		return &testClient{nc: nc, br: bufio.NewReader(nc)}, sv
	case <-time.After(wait):
		t.Fatal("connection not accepted")
		return nil, served{}
	}
}

// testClient speaks raw WebSocket frames.
type testClient struct {
	nc net.Conn
	br *bufio.Reader
}

// clientFrame builds a client frame: masked unless unmasked is set.
func clientFrame(op OpCode, payload []byte, fin bool) []byte {
	var b []byte
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		b = append(b, b0, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, b0, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, b0, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, mask[:]...)
	start := len(b)
	b = append(b, payload...)
	unmask(b[start:], mask)
	return b
}

func (tc *testClient) write(t *testing.T, b []byte) {
	t.Helper()
	_ = tc.nc.SetWriteDeadline(time.Now().Add(wait))
	if _, err := tc.nc.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func (tc *testClient) send(t *testing.T, op OpCode, p []byte) {
	t.Helper()
	tc.write(t, clientFrame(op, p, true))
}

// read returns the next server frame.
func (tc *testClient) read(t *testing.T) (OpCode, []byte) {
	t.Helper()
	op, p, err := tc.readErr()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return op, p
}

func (tc *testClient) readErr() (OpCode, []byte, error) {
	_ = tc.nc.SetReadDeadline(time.Now().Add(wait))
	var h [2]byte
	if _, err := io.ReadFull(tc.br, h[:]); err != nil {
		return 0, nil, err
	}
	if h[1]&0x80 != 0 {
		return 0, nil, errors.New("masked server frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(tc.br, l[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(tc.br, l[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(tc.br, p); err != nil {
		return 0, nil, err
	}
	return OpCode(h[0] & 0xf), p, nil
}

// readClose reads frames up to a close frame and returns its code.
func (tc *testClient) readClose(t *testing.T) uint16 {
	t.Helper()
	for {
		op, p := tc.read(t)
		if op == OpClose {
			if len(p) < 2 {
				return 0
			}
			return binary.BigEndian.Uint16(p)
		}
	}
}

// readEOF reads until the server drops the socket.
func (tc *testClient) readEOF(t *testing.T) {
	t.Helper()
	for {
		if _, _, err := tc.readErr(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("socket not closed")
			}
			return
		}
	}
}

func closePayload(code uint16) []byte {
	return binary.BigEndian.AppendUint16(nil, code)
}

func TestConnUsesEpollReaderOnLinux(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		_, sv := s.dial(t)
		polled := sv.c.poll.p != nil
		if want := runtime.GOOS == "linux" && !opts.GoroutineReaders; polled != want {
			t.Fatalf("polled %v, want %v", polled, want)
		}
	})
}

func TestConnDeliversMessagesInOrder(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		tc, sv := s.dial(t)
		var want []recMsg
		add := func(op OpCode, p []byte) { want = append(want, recMsg{op, p}) }

		// Small messages in one write.
		var burst []byte
		for i := range 50 {
			p := []byte(fmt.Sprintf(`{"n":%d}`, i))
			burst = append(burst, clientFrame(OpText, p, true)...)
			add(OpText, p)
		}
		tc.write(t, burst)
		// A large binary message (several reads), then a small one.
		big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB
		tc.send(t, OpBinary, big)
		add(OpBinary, big)
		tc.send(t, OpText, []byte("after big"))
		add(OpText, []byte("after big"))
		// A fragmented message with a ping between its fragments.
		tc.write(t, clientFrame(OpText, []byte("frag-1,"), false))
		tc.write(t, clientFrame(OpPing, []byte("p"), true))
		tc.write(t, clientFrame(OpContinuation, []byte("frag-2,"), false))
		tc.write(t, clientFrame(OpContinuation, []byte("frag-3"), true))
		add(OpText, []byte("frag-1,frag-2,frag-3"))
		// A message dribbled byte by byte.
		slow := clientFrame(OpText, bytes.Repeat([]byte("s"), 300), true)
		for i := range slow {
			tc.write(t, slow[i:i+1])
			if i%50 == 0 {
				time.Sleep(time.Millisecond) // let it arrive in pieces
			}
		}
		add(OpText, bytes.Repeat([]byte("s"), 300))
		// An empty message.
		tc.send(t, OpText, nil)
		add(OpText, []byte{})

		got := sv.sink.waitMessages(t, len(want))
		if len(got) != len(want) {
			t.Fatalf("got %d messages, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].op != want[i].op || !bytes.Equal(got[i].p, want[i].p) {
				t.Fatalf("message %d: op %d len %d, want op %d len %d", i, got[i].op, len(got[i].p), want[i].op, len(want[i].p))
			}
		}
		if op, p := tc.read(t); op != OpPong || string(p) != "p" {
			t.Fatalf("got op %d %q, want the pong", op, p)
		}
	})
}

func TestConnBufferedBytesComeFirst(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		first := clientFrame(OpText, []byte("first"), true)
		half := clientFrame(OpText, []byte("second, split"), true)
		s := newTestServer(t, opts, func(s *testServer) {
			s.buffered = func(int) []byte { return append(append([]byte(nil), first...), half[:5]...) }
		})
		tc, sv := s.dial(t)
		tc.write(t, half[5:])
		tc.send(t, OpText, []byte("third"))
		got := sv.sink.waitMessages(t, 3)
		for i, w := range []string{"first", "second, split", "third"} {
			if string(got[i].p) != w {
				t.Fatalf("message %d = %q, want %q", i, got[i].p, w)
			}
		}
	})
}

func TestConnPeerClose(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		tc, sv := s.dial(t)
		tc.send(t, OpText, []byte("hi"))
		tc.send(t, OpClose, closePayload(4001))
		if code := tc.readClose(t); code != 4001 {
			t.Fatalf("close reply code %d, want the peer's 4001", code)
		}
		tc.readEOF(t)
		if r := sv.sink.waitClosed(t); r != ReasonPeerClosed {
			t.Fatalf("reason %v", r)
		}
		if n := len(sv.sink.messages()); n != 1 {
			t.Fatalf("%d messages before the close, want 1", n)
		}
	})
}

func TestConnReadErrors(t *testing.T) {
	cases := []struct {
		name   string
		opts   Options
		frames func() []byte
		reason CloseReason
		code   uint16 // 0: socket dropped without close frame
	}{
		{"too big", Options{MaxMessageBytes: 1000}, func() []byte { return clientFrame(OpText, make([]byte, 1001), true) }, ReasonTooBig, 1009},
		{"too big header only", Options{MaxMessageBytes: 1000}, func() []byte { return clientFrame(OpText, make([]byte, 5000), true)[:10] }, ReasonTooBig, 1009},
		{"too big fragments", Options{MaxMessageBytes: 1000}, func() []byte {
			return append(clientFrame(OpText, make([]byte, 600), false), clientFrame(OpContinuation, make([]byte, 600), true)...)
		}, ReasonTooBig, 1009},
		{"unmasked", Options{}, func() []byte { return []byte{0x81, 0x02, 'h', 'i'} }, ReasonProtocol, 1002},
		{"reserved bits", Options{}, func() []byte { b := clientFrame(OpText, []byte("x"), true); b[0] |= 0x40; return b }, ReasonProtocol, 1002},
		{"fragmented ping", Options{}, func() []byte { return clientFrame(OpPing, nil, false) }, ReasonProtocol, 1002},
		{"long ping", Options{}, func() []byte { return clientFrame(OpPing, make([]byte, 126), true) }, ReasonProtocol, 1002},
		{"stray continuation", Options{}, func() []byte { return clientFrame(OpContinuation, []byte("x"), true) }, ReasonProtocol, 1002},
		{"unknown opcode", Options{}, func() []byte { return clientFrame(OpCode(3), []byte("x"), true) }, ReasonProtocol, 1002},
		{"new message inside fragments", Options{}, func() []byte {
			return append(clientFrame(OpText, []byte("a"), false), clientFrame(OpText, []byte("b"), true)...)
		}, ReasonProtocol, 1002},
	}
	for _, m := range readerModes {
		for _, tt := range cases {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				opts := tt.opts
				opts.GoroutineReaders = m.goroutine
				s := newTestServer(t, opts)
				tc, sv := s.dial(t)
				tc.send(t, OpText, []byte("ok"))
				tc.write(t, tt.frames())
				if code := tc.readClose(t); code != tt.code {
					t.Fatalf("close code %d, want %d", code, tt.code)
				}
				if r := sv.sink.waitClosed(t); r != tt.reason {
					t.Fatalf("reason %v, want %v", r, tt.reason)
				}
				if got := sv.sink.messages(); len(got) != 1 || string(got[0].p) != "ok" {
					t.Fatalf("messages %v", got)
				}
			})
		}
	}
}

func TestConnEOFEndsReader(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		tc, sv := s.dial(t)
		tc.send(t, OpText, []byte("bye"))
		_ = tc.nc.Close()
		if r := sv.sink.waitClosed(t); r != ReasonReadError {
			t.Fatalf("reason %v", r)
		}
	})
}

func TestConnServerClose(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		t.Run("peer answers", func(t *testing.T) {
			s := newTestServer(t, opts)
			tc, sv := s.dial(t)
			if err := sv.c.Enqueue(Frame(OpText, []byte("last words"))); err != nil {
				t.Fatal(err)
			}
			sv.c.Close(ReasonShutdown)
			if op, p := tc.read(t); op != OpText || string(p) != "last words" {
				t.Fatalf("got %d %q: a graceful close flushes first", op, p)
			}
			if code := tc.readClose(t); code != 1001 {
				t.Fatalf("code %d", code)
			}
			// Messages still arrive until the peer's close frame.
			tc.send(t, OpText, []byte("late"))
			tc.send(t, OpClose, closePayload(1000))
			tc.readEOF(t)
			if r := sv.sink.waitClosed(t); r != ReasonShutdown {
				t.Fatalf("reason %v", r)
			}
			if got := sv.sink.messages(); len(got) != 1 || string(got[0].p) != "late" {
				t.Fatalf("messages %v", got)
			}
		})
		t.Run("peer silent", func(t *testing.T) {
			o := opts
			o.CloseWait = 50 * time.Millisecond
			s := newTestServer(t, o)
			tc, sv := s.dial(t)
			sv.c.Close(ReasonStale)
			if code := tc.readClose(t); code != 1001 {
				t.Fatalf("code %d", code)
			}
			tc.readEOF(t) // closed after CloseWait
			if r := sv.sink.waitClosed(t); r != ReasonStale {
				t.Fatalf("reason %v", r)
			}
		})
		t.Run("terminated", func(t *testing.T) {
			s := newTestServer(t, opts)
			tc, sv := s.dial(t)
			sv.c.Close(ReasonEvicted) // no close frame: the socket is dropped
			tc.readEOF(t)
			if r := sv.sink.waitClosed(t); r != ReasonEvicted {
				t.Fatalf("reason %v", r)
			}
			if err := sv.c.Enqueue([]byte("x")); !errors.Is(err, ErrClosed) {
				t.Fatalf("enqueue after close: %v", err)
			}
		})
	})
}

func TestConnCloseFromSink(t *testing.T) {
	// A sink that closes its connection from OnMessage (rate limiting)
	// gets no further messages after the close completes.
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts, func(s *testServer) {
			s.sink = func() *recSink {
				r := newRecSink()
				r.onMsg = func(c *Conn, _ OpCode, p []byte) {
					if string(p) == "stop" {
						c.Close(ReasonRateLimited)
					}
				}
				return r
			}
		})
		tc, sv := s.dial(t)
		tc.send(t, OpText, []byte("stop"))
		if code := tc.readClose(t); code != 1008 {
			t.Fatalf("code %d", code)
		}
		tc.send(t, OpClose, closePayload(1000))
		if r := sv.sink.waitClosed(t); r != ReasonRateLimited {
			t.Fatalf("reason %v", r)
		}
	})
}

func TestConnManyConnections(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		const n, per = 64, 20
		clients := make([]*testClient, n)
		sinks := make([]*recSink, n)
		for i := range n {
			clients[i], _ = s.dial(t)
		}
		// Accept order may differ from dial order: map by the first message.
		var wg sync.WaitGroup
		for i, tc := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range per {
					_, _ = tc.nc.Write(clientFrame(OpText, []byte(fmt.Sprintf("%d/%d", i, j)), true))
				}
			}()
		}
		wg.Wait()
		s.hub.mu.Lock()
		var all []*Conn
		for c := range s.hub.conns {
			all = append(all, c)
		}
		s.hub.mu.Unlock()
		if len(all) != n {
			t.Fatalf("hub has %d connections, want %d", len(all), n)
		}
		_ = sinks
		// Every connection delivers its own messages in order.
		close(s.conns)
		for sv := range s.conns {
			got := sv.sink.waitMessages(t, per)
			var who string
			for j, m := range got {
				i, k, _ := strings.Cut(string(m.p), "/")
				if j == 0 {
					who = i
				}
				if i != who || k != fmt.Sprint(j) {
					t.Fatalf("message %d = %q", j, m.p)
				}
			}
		}
		for _, tc := range clients {
			_ = tc.nc.Close()
		}
		deadline := time.Now().Add(wait)
		for s.hub.Len() > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d connections left", s.hub.Len())
			}
			time.Sleep(time.Millisecond)
		}
	})
}

func TestHubShutdownClosesAndWaits(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		before := runtime.NumGoroutine()
		opts.CloseWait = 100 * time.Millisecond
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		hub := NewHub(opts, nil)
		var sinks []*recSink
		var clients []net.Conn
		for range 10 {
			cc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			clients = append(clients, cc)
			nc, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			c := hub.NewConn(nc, nil, false, false)
			sink := newRecSink()
			sinks = append(sinks, sink)
			hub.Serve(c, sink)
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx, ReasonShutdown); err != nil {
			t.Fatal(err)
		}
		for _, s := range sinks {
			select {
			case r := <-s.closed:
				if r != ReasonShutdown {
					t.Fatalf("reason %v", r)
				}
			default:
				t.Fatal("Shutdown returned before OnClose")
			}
		}
		if hub.Len() != 0 {
			t.Fatalf("%d connections left", hub.Len())
		}
		// A hub that has shut down takes no connections.
		cc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if c := hub.NewConn(nc, nil, false, false); c != nil {
			t.Fatal("NewConn after Shutdown")
		}
		for _, c := range clients {
			_ = c.Close()
		}
		waitGoroutines(t, before)
	})
}

func TestHubShutdownForcesAfterContext(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.CloseWait = time.Hour // the peer never answers: only ctx ends it
		s := newTestServer(t, opts)
		_, sv := s.dial(t)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := s.hub.Shutdown(ctx, ReasonShutdown); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
		if r := sv.sink.waitClosed(t); r != ReasonShutdown {
			t.Fatalf("reason %v", r)
		}
	})
}

// waitGoroutines waits until no more goroutines run than before (the
// hub's own must all have exited).
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestConnLargeMessageInPieces(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		tc, sv := s.dial(t)
		big := make([]byte, 700<<10)
		for i := range big {
			big[i] = byte(i * 7)
		}
		frame := append(clientFrame(OpBinary, big, true), clientFrame(OpText, []byte("next"), true)...)
		for len(frame) > 0 {
			n := min(len(frame), 7000)
			tc.write(t, frame[:n])
			frame = frame[n:]
			if len(frame)%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		got := sv.sink.waitMessages(t, 2)
		if !bytes.Equal(got[0].p, big) || string(got[1].p) != "next" {
			t.Fatalf("got %d and %q", len(got[0].p), got[1].p)
		}
	})
}
