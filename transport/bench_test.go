package transport

import (
	"context"
	"fmt"
	"net"
	"os"
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
// frames/write is how many frames each write carried on average.
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	m := NewMetrics(nil)
	hub := NewHub(opts, m)
	var read atomic.Int64
	var wg sync.WaitGroup
	conns := make([]*Conn, 0, n)
	clients := make([]net.Conn, 0, n)
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for {
				k, err := cc.Read(buf)
				read.Add(int64(k))
				if err != nil {
					return
				}
			}
		}()
	}
	frame := Frame(OpText, []byte(`{"type":"cursor:update","cursor":{"userId":"u-1","displayName":"bench","color":"#ff0000","x":123456,"y":42,"lastUpdate":1700000000000}}`))
	var want int64
	w0, haveIO := writeSyscalls()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range conns {
			_ = c.Enqueue(frame)
		}
		want += int64(n * len(frame))
	}
	deadline := time.Now().Add(time.Minute)
	for read.Load() < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	if read.Load() < want {
		b.Fatalf("read %d of %d bytes", read.Load(), want)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*int64(n)), "ns/delivery")
	if w1, ok := writeSyscalls(); ok && haveIO && w1 > w0 {
		b.ReportMetric(float64(int64(b.N)*int64(n))/float64(w1-w0), "frames/write")
	}
	for _, cc := range clients {
		_ = cc.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hub.Shutdown(ctx, ReasonShutdown)
	wg.Wait()
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
