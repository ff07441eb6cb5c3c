package transport

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// nopSink drops every message.
type nopSink struct{}

func (nopSink) OnMessage(*Conn, OpCode, []byte) {}
func (nopSink) OnClose(*Conn, CloseReason)      {}

// BenchmarkParseFrames: the epoll reader's frame parsing, 64 small masked
// messages per read.
func BenchmarkParseFrames(b *testing.B) {
	one := clientFrame(OpText, []byte(`{"type":"cursor:update","x":123456,"y":42}`), true)
	var data []byte
	for range 64 {
		data = append(data, one...)
	}
	c := &Conn{opts: &Options{MaxMessageBytes: 1 << 20}}
	buf := make([]byte, len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, data) // parsing unmasks in place
		if used, r := c.parseFrames(nopSink{}, buf); used != len(buf) || r != ReasonNone {
			b.Fatal(used, r)
		}
	}
}

// BenchmarkBroadcast queues one shared frame to every member of a room of
// n loopback connections per iteration, as a room broadcast does, and
// waits for the clients to have read them all. ns/op is per broadcast;
// frames/write is how many frames each write carried on average. The
// producer is paced as in the Enqueue benchmarks: after each window of
// enqueueWindow broadcasts it broadcasts a sentinel and waits until every
// member has read the previous one, so the outboxes stay far below their
// bounds and the time is that of delivery, not of queuing ahead.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{5, 200, 1000} {
		for _, m := range readerModes {
			b.Run(fmt.Sprintf("members=%d/%s", n, m.name), func(b *testing.B) {
				benchBroadcast(b, n, Options{GoroutineReaders: m.goroutine})
			})
		}
	}
}

func benchBroadcast(b *testing.B, n int, opts Options) {
	before := runtime.NumGoroutine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	hub := NewHub(opts, NewMetrics(nil))
	var wg sync.WaitGroup // the clients' readers
	clients := make([]net.Conn, 0, n)
	b.Cleanup(func() {
		for _, cc := range clients {
			_ = cc.Close() // ends the readers, and the server's
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx, ReasonShutdown); err != nil {
			b.Errorf("hub shutdown: %v", err)
		}
		wg.Wait()
		checkGoroutines(b, before)
	})
	conns := make([]*Conn, 0, n)
	readers := make([]*frameReader, 0, n)
	for range n {
		cc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, cc)
		nc, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		c := hub.NewConn(nc, nil, false, false)
		hub.Serve(c, nopSink{})
		conns = append(conns, c)
		fr := newFrameReader()
		readers = append(readers, fr)
		wg.Add(1)
		go func() { // ends when cleanup closes cc
			defer wg.Done()
			fr.run(cc)
		}()
	}
	frame := Frame(OpText, []byte(`{"type":"cursor:update","cursor":{"userId":"u-1","displayName":"bench","color":"#ff0000","x":123456,"y":42,"lastUpdate":1700000000000}}`))
	// At most two windows and their sentinels are queued for a member.
	if o := hub.Options(); 2*(enqueueWindow+1)*len(frame) > o.OutboxMaxBytes || 2*(enqueueWindow+1) > o.OutboxMaxFrames {
		b.Fatalf("two windows of %d-byte frames do not fit the outbox (%d bytes, %d frames)", len(frame), o.OutboxMaxBytes, o.OutboxMaxFrames)
	}
	var mark uint64
	sentinel := func() {
		mark++
		s := Frame(OpText, benchFramePayload('s', mark))
		for i, c := range conns {
			if err := c.Enqueue(s); err != nil {
				b.Fatalf("member %d: sentinel %d: %v", i, mark, err)
			}
		}
	}
	waitMark := func(seq uint64) {
		for i, fr := range readers {
			if err := fr.waitMark(seq); err != nil {
				b.Fatalf("member %d: %v", i, err)
			}
		}
	}
	w0, haveIO := writeSyscalls()
	b.ReportAllocs()
	b.ResetTimer()
	var i int
	for b.Loop() {
		for j, c := range conns {
			if err := c.Enqueue(frame); err != nil {
				b.Fatalf("broadcast %d, member %d: %v", i, j, err)
			}
		}
		if i++; i%enqueueWindow == 0 {
			sentinel()
			waitMark(mark - 1)
		}
	}
	// b.Loop stopped the timer; the delivery of the last windows counts.
	b.StartTimer()
	sentinel()
	waitMark(mark)
	b.StopTimer()
	for j, fr := range readers {
		if got := fr.data.Load(); got != int64(b.N) {
			b.Fatalf("member %d read %d frames, want %d", j, got, b.N)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*int64(n)), "ns/delivery")
	if w1, ok := writeSyscalls(); ok && haveIO && w1 > w0 {
		b.ReportMetric(float64((int64(b.N)+int64(mark))*int64(n))/float64(w1-w0), "frames/write")
	}
}

// writeSyscalls is this process's count of write system calls so far
// (/proc/self/io syscw), where the system has it.
func writeSyscalls() (int64, bool) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// enqueueWindow is how many frames the Enqueue and Broadcast benchmarks
// queue ahead of their readers: after each window they queue a sentinel and
// wait for the previous one to arrive, which keeps the outbox (at most two
// windows of small frames) far below its bounds however fast the producer
// is.
const enqueueWindow = 1024

// benchPayload is the size of the small frames' payload, about a relayed
// cursor:update.
const benchPayload = 120

// BenchmarkConn_Enqueue measures one producer (a room) queuing small
// frames onto one connection whose peer reads promptly, while the hub's
// writers drain it: ns/op is the sustained end-to-end cost of one frame
// (enqueue, batch, writev, the peer's read), frames/s its inverse, and
// frames/write how many frames each write system call carried (from
// /proc/self/io, where the system has it).
func BenchmarkConn_Enqueue(b *testing.B) {
	b.Run("peer=prompt", func(b *testing.B) { benchEnqueuePrompt(b, 0) })
}

// BenchmarkConn_EnqueueTagged measures EnqueueTagged, the room's cursor
// path. peer=prompt is BenchmarkConn_Enqueue's setup with the frames tagged
// by one of 64 senders in turn: delivered/op is the fraction of frames that
// reached the peer, the rest having been coalesced while the connection
// lagged behind the producer. peer=lagging is a connection whose writer is
// stuck on a peer that does not read and whose queue is past LagFrames: each
// EnqueueTagged replaces the frame its sender queued earlier, in place, so
// ns/op is the steady cost of coalescing and the queue does not grow.
func BenchmarkConn_EnqueueTagged(b *testing.B) {
	b.Run("peer=prompt/senders=64", func(b *testing.B) { benchEnqueuePrompt(b, 64) })
	for _, s := range []int{1, 64, 1000} {
		b.Run(fmt.Sprintf("peer=lagging/senders=%d", s), func(b *testing.B) { benchEnqueueLagging(b, s) })
	}
}

// benchEnqueuePrompt queues b.N small frames, with Enqueue (senders 0) or
// EnqueueTagged with senders tags in turn, and waits for the peer to have
// read everything that was not coalesced.
func benchEnqueuePrompt(b *testing.B, senders int) {
	p := newBenchPeer(b, Options{}, false)
	fr := newFrameReader()
	p.wg.Add(1)
	go func() { // ends when cleanup closes the client end
		defer p.wg.Done()
		fr.run(p.cc)
	}()
	frame := Frame(OpText, benchFramePayload('d', 0))
	enqueue := func(i int) error {
		if senders == 0 {
			return p.c.Enqueue(frame)
		}
		return p.c.EnqueueTagged(frame, uint64(i%senders)+1)
	}
	var mark uint64
	sentinel := func() {
		mark++
		if err := p.c.Enqueue(Frame(OpText, benchFramePayload('s', mark))); err != nil {
			b.Fatalf("sentinel: %v", err)
		}
	}
	w0, haveIO := writeSyscalls()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := enqueue(i); err != nil {
			b.Fatalf("frame %d: %v", i, err)
		}
		if (i+1)%enqueueWindow == 0 {
			sentinel()
			if err := fr.waitMark(mark - 1); err != nil {
				b.Fatal(err)
			}
		}
	}
	sentinel()
	if err := fr.waitMark(mark); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	delivered := fr.data.Load()
	if senders == 0 && delivered != int64(b.N) {
		b.Fatalf("peer read %d frames, want %d", delivered, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	if senders != 0 {
		b.ReportMetric(float64(delivered)/float64(b.N), "delivered/op")
	}
	if w1, ok := writeSyscalls(); ok && haveIO && w1 > w0 {
		b.ReportMetric(float64(delivered+int64(mark))/float64(w1-w0), "frames/write")
	}
}

// benchEnqueueLagging tags frames from senders senders in turn onto a
// connection that lags: its writer is stuck on a large frame the peer does
// not read, and LagFrames frames wait behind it.
func benchEnqueueLagging(b *testing.B, senders int) {
	p := newBenchPeer(b, Options{OutboxMaxBytes: 64 << 20, WriteTimeout: time.Hour}, true)
	if err := p.c.Enqueue(Frame(OpBinary, make([]byte, 8<<20))); err != nil {
		b.Fatal(err)
	}
	// Once the first bytes arrive the writer has taken the large frame; the
	// socket buffers hold a small part of it, so it stays stuck there and
	// the queue only grows from now on.
	_ = p.cc.SetReadDeadline(time.Now().Add(wait))
	var one [1]byte
	if _, err := io.ReadFull(p.cc, one[:]); err != nil {
		b.Fatal(err)
	}
	frame := Frame(OpText, benchFramePayload('d', 0))
	for range LagFrames {
		if err := p.c.Enqueue(frame); err != nil {
			b.Fatal(err)
		}
	}
	// One frame per sender, so that every tag is in the lag index.
	for s := range senders {
		if err := p.c.EnqueueTagged(frame, uint64(s)+1); err != nil {
			b.Fatal(err)
		}
	}
	want := LagFrames + senders
	if q := p.queued(); q != want {
		b.Fatalf("%d frames queued before the run, want %d", q, want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.c.EnqueueTagged(frame, uint64(i%senders)+1); err != nil {
			b.Fatalf("frame %d: %v", i, err)
		}
	}
	b.StopTimer()
	if q := p.queued(); q != want {
		b.Fatalf("%d frames queued after the run, want %d: nothing was coalesced", q, want)
	}
}

// benchFramePayload is a small payload: kind 'd' (data) or 's' (a sentinel
// carrying seq), padded to benchPayload bytes.
func benchFramePayload(kind byte, seq uint64) []byte {
	p := make([]byte, benchPayload)
	p[0] = kind
	binary.BigEndian.PutUint64(p[1:], seq)
	return p
}

// benchPeer is one served connection on loopback and its client end.
type benchPeer struct {
	c  *Conn
	cc net.Conn
	wg sync.WaitGroup // the benchmark's goroutines reading cc
}

// newBenchPeer serves one loopback connection with a nop sink. small gives
// both ends small socket buffers. Its cleanup closes the client end, shuts
// the hub down, waits for the readers and checks that no goroutine is left.
func newBenchPeer(b *testing.B, opts Options, small bool) *benchPeer {
	before := runtime.NumGoroutine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	nc, err := ln.Accept()
	if err != nil {
		_ = cc.Close()
		b.Fatal(err)
	}
	if small {
		// Best effort: only the lagging benchmark's setup needs little
		// buffered, and 8 MiB is far more than loopback buffers anyway.
		_ = nc.(*net.TCPConn).SetWriteBuffer(64 << 10)
		_ = cc.(*net.TCPConn).SetReadBuffer(64 << 10)
	}
	hub := NewHub(opts, NewMetrics(nil))
	p := &benchPeer{c: hub.NewConn(nc, nil, false, false), cc: cc}
	hub.Serve(p.c, nopSink{})
	b.Cleanup(func() {
		_ = cc.Close() // ends the server's reader and any stuck write
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := hub.Shutdown(ctx, ReasonShutdown); err != nil {
			b.Errorf("hub shutdown: %v", err)
		}
		p.wg.Wait()
		checkGoroutines(b, before)
	})
	return p
}

// checkGoroutines reports an error unless the goroutine count is back to
// before (within wait): run it after everything a benchmark started has
// been told to end.
func checkGoroutines(b *testing.B, before int) {
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			b.Errorf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(time.Millisecond) // polling for the leak check, not synchronisation
	}
}

// queued is how many frames wait in the connection's queue.
func (p *benchPeer) queued() int {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return len(p.c.q)
}

// frameReader reads a benchmark connection's frames: it counts data
// frames and publishes the last sentinel seen. A sentinel is a
// benchFramePayload('s', seq) text frame; every other text frame (up to
// 1 KiB) is data.
type frameReader struct {
	data atomic.Int64

	mu   sync.Mutex
	cond sync.Cond // L is &mu; signalled on each sentinel and at the end
	mark uint64
	err  error
}

func newFrameReader() *frameReader {
	fr := &frameReader{}
	fr.cond.L = &fr.mu
	return fr
}

func (fr *frameReader) run(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	var h [2]byte
	var p [1 << 10]byte
	var err error
	for {
		if _, err = io.ReadFull(br, h[:]); err != nil {
			break
		}
		op := OpCode(h[0] & 0x0f)
		n := int(h[1] & 0x7f)
		if n == 126 { // 16-bit extended length
			if _, err = io.ReadFull(br, h[:]); err != nil {
				break
			}
			n = int(binary.BigEndian.Uint16(h[:]))
		} else if n == 127 {
			err = errors.New("unexpected 64-bit frame length")
			break
		}
		if n > len(p) {
			err = fmt.Errorf("unexpected frame length %d", n)
			break
		}
		if _, err = io.ReadFull(br, p[:n]); err != nil {
			break
		}
		if op != OpText || n == 0 {
			err = fmt.Errorf("unexpected frame op %d", op)
			break
		}
		if n != benchPayload || p[0] != 's' {
			fr.data.Add(1)
			continue
		}
		fr.mu.Lock()
		fr.mark = binary.BigEndian.Uint64(p[1:9])
		fr.cond.Broadcast()
		fr.mu.Unlock()
	}
	fr.mu.Lock()
	fr.err = err
	fr.cond.Broadcast()
	fr.mu.Unlock()
}

// waitMark waits until sentinel seq has been read (0: returns at once).
func (fr *frameReader) waitMark(seq uint64) error {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	for fr.mark < seq && fr.err == nil {
		fr.cond.Wait()
	}
	if fr.mark < seq {
		return fmt.Errorf("reader stopped before sentinel %d: %w", seq, fr.err)
	}
	return nil
}
