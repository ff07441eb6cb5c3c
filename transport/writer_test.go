package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// smallBuffers makes the server side of every accepted socket hold little,
// so that a peer that does not read fills it quickly and the writer has to
// wait.
func smallBuffers(s *testServer) { s.small = true }

// seqFrame is a text frame holding a sequence number padded to size bytes.
func seqFrame(i, size int) []byte {
	p := make([]byte, max(size, 8))
	binary.BigEndian.PutUint64(p, uint64(i))
	return Frame(OpBinary, p)
}

func seqOf(t *testing.T, op OpCode, p []byte) int {
	t.Helper()
	if op != OpBinary || len(p) < 8 {
		t.Fatalf("unexpected frame op %d len %d", op, len(p))
	}
	return int(binary.BigEndian.Uint64(p))
}

func TestWriterKeepsOrderThroughSlowPath(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.OutboxMaxBytes = 64 << 20
		opts.OutboxMaxFrames = 1 << 20
		s := newTestServer(t, opts, smallBuffers)
		tc, sv := s.dial(t)
		const n = 3000
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // enqueue from another goroutine while the client stalls
			defer wg.Done()
			for i := range n {
				size := 20
				if i%100 == 0 {
					size = 100 << 10
				}
				if err := sv.c.Enqueue(seqFrame(i, size)); err != nil {
					t.Errorf("enqueue %d: %v", i, err)
					return
				}
			}
		}()
		time.Sleep(50 * time.Millisecond) // let the socket fill up
		for i := range n {
			op, p := tc.read(t)
			if got := seqOf(t, op, p); got != i {
				t.Fatalf("frame %d has sequence %d", i, got)
			}
		}
		wg.Wait()
		// The connection is idle again and still writes.
		if err := sv.c.Enqueue(seqFrame(n, 8)); err != nil {
			t.Fatal(err)
		}
		if op, p := tc.read(t); seqOf(t, op, p) != n {
			t.Fatal("no write after the slow path")
		}
	})
}

func TestWriterManyConnectionsConcurrently(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		s := newTestServer(t, opts)
		const conns, frames = 40, 200
		clients := make([]*testClient, conns)
		servers := make([]served, conns)
		for i := range conns {
			clients[i], servers[i] = s.dial(t)
		}
		// One shared frame per "broadcast", queued to every connection, as a
		// room does.
		go func() {
			for i := range frames {
				f := seqFrame(i, 16+i%300)
				for _, sv := range servers {
					_ = sv.c.Enqueue(f)
				}
			}
		}()
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		for _, tc := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range frames {
					op, p, err := tc.readErr()
					if err != nil {
						errs <- err
						return
					}
					if op != OpBinary || int(binary.BigEndian.Uint64(p)) != i {
						errs <- fmt.Errorf("frame %d out of order", i)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	})
}

func TestSlowConsumerOverOutboxBytes(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.OutboxMaxBytes = 64 << 10
		s := newTestServer(t, opts, smallBuffers)
		_, sv := s.dial(t)
		var err error
		for i := 0; i < 10000 && err == nil; i++ {
			err = sv.c.Enqueue(seqFrame(i, 1000))
		}
		if !errors.Is(err, ErrSlowConsumer) {
			t.Fatalf("enqueue error %v, want ErrSlowConsumer", err)
		}
		if err := sv.c.Enqueue(seqFrame(0, 8)); !errors.Is(err, ErrClosed) {
			t.Fatalf("after: %v", err)
		}
		if r := sv.sink.waitClosed(t); r != ReasonSlowConsumer {
			t.Fatalf("reason %v", r)
		}
		// The dropped queue left the outbox gauge: nothing else is queued.
		if n := s.hub.metrics.outbox.Load(); n != 0 {
			t.Fatalf("outbox gauge %d after the only connection closed", n)
		}
	})
}

func TestSlowConsumerOverOutboxFrames(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.OutboxMaxFrames = 10
		opts.OutboxMaxBytes = 64 << 20
		s := newTestServer(t, opts, smallBuffers)
		_, sv := s.dial(t)
		// One large frame keeps the writer busy; the small ones pile up.
		if err := sv.c.Enqueue(seqFrame(0, 4<<20)); err != nil {
			t.Fatal(err)
		}
		var err error
		for i := 0; i < 100 && err == nil; i++ {
			err = sv.c.Enqueue(seqFrame(i, 8))
		}
		if !errors.Is(err, ErrSlowConsumer) {
			t.Fatalf("enqueue error %v", err)
		}
		if r := sv.sink.waitClosed(t); r != ReasonSlowConsumer {
			t.Fatalf("reason %v", r)
		}
	})
}

func TestWriteTimeoutIsSlowConsumer(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.WriteTimeout = 100 * time.Millisecond
		opts.OutboxMaxBytes = 64 << 20
		s := newTestServer(t, opts, smallBuffers)
		_, sv := s.dial(t)
		if err := sv.c.Enqueue(seqFrame(0, 16<<20)); err != nil {
			t.Fatal(err)
		}
		if r := sv.sink.waitClosed(t); r != ReasonSlowConsumer {
			t.Fatalf("reason %v", r)
		}
	})
}

// stallWriter queues a frame too large for the socket, so that the writer
// is busy with it while the test queues more.
func stallWriter(t *testing.T, c *Conn) {
	t.Helper()
	if err := c.Enqueue(seqFrame(-1, 8<<20)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for {
		c.mu.Lock()
		stalled := c.slow && len(c.q) == 0
		c.mu.Unlock()
		if stalled {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("writer never stalled")
		}
		time.Sleep(time.Millisecond)
	}
}

// readAfterStall reads the stalling frame and then n more.
func readAfterStall(t *testing.T, tc *testClient, n int) []int {
	t.Helper()
	if op, p := tc.read(t); op != OpBinary || len(p) != 8<<20 {
		t.Fatal("first frame is not the stalling one")
	}
	var got []int
	for range n {
		op, p := tc.read(t)
		got = append(got, seqOf(t, op, p))
	}
	return got
}

func TestEnqueueLatestReplacesWaitingFrame(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.OutboxMaxBytes = 64 << 20
		s := newTestServer(t, opts, smallBuffers)
		tc, sv := s.dial(t)
		stallWriter(t, sv.c)
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(sv.c.EnqueueLatest(seqFrame(1, 8)))
		must(sv.c.Enqueue(seqFrame(2, 8)))
		must(sv.c.EnqueueLatest(seqFrame(3, 8)))
		must(sv.c.Enqueue(seqFrame(4, 8)))
		got := readAfterStall(t, tc, 3)
		if fmt.Sprint(got) != "[2 3 4]" {
			t.Fatalf("got %v", got)
		}
	})
}

func TestEnqueueTaggedCoalescesOnlyWhileLagging(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		opts.OutboxMaxBytes = 64 << 20
		s := newTestServer(t, opts, smallBuffers)
		tc, sv := s.dial(t)
		stallWriter(t, sv.c)
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Below the lag threshold, tagged frames are all kept.
		must(sv.c.EnqueueTagged(seqFrame(100, 8), 7))
		must(sv.c.EnqueueTagged(seqFrame(101, 8), 7))
		for i := 2; i < LagFrames; i++ {
			must(sv.c.Enqueue(seqFrame(i, 8)))
		}
		// Lagging now: the latest frame per tag replaces the waiting one in place.
		must(sv.c.EnqueueTagged(seqFrame(200, 8), 7))
		must(sv.c.EnqueueTagged(seqFrame(300, 8), 9))
		must(sv.c.EnqueueTagged(seqFrame(201, 8), 7))
		must(sv.c.Enqueue(seqFrame(400, 8)))
		must(sv.c.EnqueueTagged(seqFrame(202, 8), 7))
		must(sv.c.EnqueueTagged(seqFrame(301, 8), 9))
		want := []int{100, 101}
		for i := 2; i < LagFrames; i++ {
			want = append(want, i)
		}
		want = append(want, 202, 301, 400)
		got := readAfterStall(t, tc, len(want))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got  %v\nwant %v", got, want)
		}
		// Once the writer caught up, nothing is coalesced.
		must(sv.c.EnqueueTagged(seqFrame(500, 8), 7))
		must(sv.c.EnqueueTagged(seqFrame(501, 8), 7))
		for _, w := range []int{500, 501} {
			if op, p := tc.read(t); seqOf(t, op, p) != w {
				t.Fatalf("want %d", w)
			}
		}
	})
}

func TestKeepaliveClosesStaleConnections(t *testing.T) {
	forEachMode(t, func(t *testing.T, opts Options) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		hub := NewHub(opts, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			hub.RunKeepalive(ctx, 20*time.Millisecond)
		}()
		defer func() {
			cancel()
			<-done
			sctx, scancel := context.WithTimeout(context.Background(), wait)
			defer scancel()
			_ = hub.Shutdown(sctx, ReasonShutdown)
		}()
		dial := func() (*testClient, *recSink) {
			cc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cc.Close() })
			nc, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			c := hub.NewConn(nc, nil, false, true)
			sink := newRecSink()
			hub.Serve(c, sink)
			return &testClient{nc: cc, br: bufio.NewReader(cc)}, sink
		}
		live, liveSink := dial()
		silent, silentSink := dial()
		// The live client answers pings for a while; the silent one never does.
		stop := time.Now().Add(300 * time.Millisecond)
		for time.Now().Before(stop) {
			op, p := live.read(t)
			if op == OpPing {
				live.send(t, OpPong, p)
			}
		}
		if code := silent.readClose(t); code != 1001 {
			t.Fatalf("silent client closed with %d", code)
		}
		silent.send(t, OpClose, closePayload(1001))
		if r := silentSink.waitClosed(t); r != ReasonStale {
			t.Fatalf("reason %v", r)
		}
		select {
		case r := <-liveSink.closed:
			t.Fatalf("live client closed: %v", r)
		default:
		}
	})
}

func TestAdvance(t *testing.T) {
	batch := [][]byte{[]byte("abc"), nil, []byte("de"), []byte("fgh")}
	got := advance(append([][]byte(nil), batch...), 4)
	if len(got) != 2 || string(got[0]) != "e" || string(got[1]) != "fgh" {
		t.Fatalf("got %q", got)
	}
	if got := advance(append([][]byte(nil), batch...), 5); len(got) != 1 || string(got[0]) != "fgh" {
		t.Fatalf("got %q", got)
	}
	if got := advance(append([][]byte(nil), batch...), 0); !bytes.Equal(got[0], []byte("abc")) {
		t.Fatalf("got %q", got)
	}
}

// deadlineConn records the write deadlines set on it.
type deadlineConn struct {
	net.Conn
	mu        sync.Mutex
	deadlines []time.Time
}

func (d *deadlineConn) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	d.deadlines = append(d.deadlines, t)
	d.mu.Unlock()
	return d.Conn.SetWriteDeadline(t)
}

func (d *deadlineConn) at(i int) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 {
		i += len(d.deadlines)
	}
	return d.deadlines[i]
}

// An abort (a non-graceful Close) of a connection whose writer is stuck
// must not be undone by the writer moving on to its long deadline: before,
// a Close landing while the write held a shared slot was overwritten by the
// WriteTimeout deadline that followed, and a dead peer kept its connection
// for 10 s.
func TestAbortDeadlineNotUndoneByWriter(t *testing.T) {
	a, b := net.Pipe()
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	dc := &deadlineConn{Conn: a}
	h := NewHub(Options{GoroutineReaders: true, WriteTimeout: time.Hour}, NewMetrics(nil))
	c := h.NewConn(dc, nil, false, false)
	c.mu.Lock()
	c.slow = true // as the writer is while blocked on the peer
	c.mu.Unlock()
	c.Close(ReasonSlowConsumer)
	if d := time.Until(dc.at(0)); d > 0 { // set before the writer starts
		t.Fatalf("Close left a deadline %v ahead, want the write aborted now", d)
	}
	for _, want := range []time.Duration{time.Hour, fastWrite, 0} {
		if err := c.setWriteDeadline(want); err != nil {
			t.Fatal(err)
		}
		got := dc.at(-1)
		if got.IsZero() || time.Until(got) > fastWrite {
			t.Fatalf("setWriteDeadline(%v) after the abort set %v, want at most fastWrite ahead", want, got)
		}
	}
	h.Serve(c, newRecSink())
	_ = b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := h.Shutdown(ctx, ReasonShutdown); err != nil {
		t.Fatal(err)
	}
}
