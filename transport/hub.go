package transport

import (
	"context"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Hub tracks every live connection of a server: it assigns ids, reads
// the connections (on its epoll pollers, or a goroutine per connection),
// counts their readers, sends keepalive pings, and closes everything at
// shutdown.
type Hub struct {
	opts    Options
	metrics *Metrics

	nextID    atomic.Uint64
	pingFrame []byte
	slots     chan struct{}
	polls     pollSet
	writers   writerPool

	mu        sync.Mutex
	conns     map[*Conn]bool // value: keepalive pings enabled
	closing   bool
	readersWG sync.WaitGroup
}

// NewHub creates a hub; opts bound every connection it serves.
func NewHub(opts Options, m *Metrics) *Hub {
	o := opts.withDefaults()
	return &Hub{opts: o, metrics: m, conns: map[*Conn]bool{}, pingFrame: Frame(OpPing, nil),
		slots: make(chan struct{}, 4*runtime.GOMAXPROCS(0))}
}

// Options returns the effective connection options.
func (h *Hub) Options() Options { return h.opts }

// NewConn wraps an upgraded socket. buffered holds bytes the HTTP layer
// already read past the handshake. It returns nil if the hub is shutting down.
func (h *Hub) NewConn(nc net.Conn, buffered []byte, binary, keepalive bool) *Conn {
	c := newConn(h.nextID.Add(1), nc, h, binary)
	if h.pollerFor(c) != nil {
		if len(buffered) > 0 {
			c.poll.pend = append([]byte(nil), buffered...) // parsed by Serve
		}
	} else {
		c.setBuffered(buffered)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil
	}
	h.conns[c] = keepalive
	h.readersWG.Add(1)
	h.metrics.connAdd(1)
	return c
}

// Serve starts reading c until the connection ends, delivering its
// messages to sink, and returns at once: c is registered with one of the
// hub's epoll pollers (after the bytes that came with the handshake are
// handled, on the caller's goroutine), or read by a new goroutine owned by
// the hub. Shutdown waits for either. Every connection returned by NewConn
// must be served exactly once. The HTTP handler that upgraded the
// connection returns right away, so nothing of net/http (request, buffers,
// grown handler stack) stays alive with it.
func (h *Hub) Serve(c *Conn, sink FrameSink) {
	if c.poll.p != nil {
		c.poll.p.serve(c, sink)
		return
	}
	go h.serve(c, sink)
}

func (h *Hub) serve(c *Conn, sink FrameSink) {
	c.ReadLoop(sink)
	h.connDone(c)
}

// connDone forgets a connection whose reader has ended.
func (h *Hub) connDone(c *Conn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.metrics.connAdd(-1)
	h.readersWG.Done()
}

// Len is the number of live connections.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// RunKeepalive pings every keepalive connection each interval and closes
// those whose previous ping got no pong (ReasonStale). It returns when ctx
// is done.
func (h *Hub) RunKeepalive(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var batch []*Conn
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		batch = batch[:0]
		h.mu.Lock()
		for c, ka := range h.conns {
			if ka {
				batch = append(batch, c)
			}
		}
		h.mu.Unlock()
		for _, c := range batch {
			if !c.sendPing(h.pingFrame) {
				c.Close(ReasonStale)
			}
		}
	}
}

// Shutdown refuses new connections, closes every live one with reason and
// waits (until ctx is done) for their readers to finish; then it stops the
// pollers. After ctx is done it closes the remaining sockets at once and
// still waits for their readers, which then end promptly.
func (h *Hub) Shutdown(ctx context.Context, reason CloseReason) error {
	defer h.stopWriters()
	defer h.stopPollers()
	h.mu.Lock()
	h.closing = true
	all := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.Close(reason)
	}
	done := make(chan struct{})
	go func() { // exits when the readers are done; they end at CloseWait at the latest
		h.readersWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range all {
			c.closeNC()
		}
		<-done
		return ctx.Err()
	}
}

// writerPool is the hub's shared writers: GOMAXPROCS goroutines (started
// with the first write) that take connections with queued frames from a run
// queue, in turn, and write each without blocking (Conn.writeReady). A
// connection going from idle to busy costs a run-queue entry, not a
// goroutine; one whose socket is full leaves for a writeLoop of its own.
type writerPool struct {
	start sync.Once
	mu    sync.Mutex
	cond  sync.Cond
	ready []*Conn // run queue: ready[head:]
	head  int
	idle  int // writers waiting for work
	stop  bool
	wg    sync.WaitGroup
}

// schedule gives c, which has frames queued and no writer, to a writer:
// one of the shared writers if c was idle, or a writeLoop of its own if its
// writes went idle only a moment ago (hot): frames are streaming in, and
// the scheduler will run that writer among everything else, by when more
// frames have piled up to go out in one write. An eager shared writer
// would write each one as it comes.
func (h *Hub) schedule(c *Conn, hot bool) {
	if !hot && nonBlockingWrites && c.rc != nil && h.writers.push(h, c) {
		return
	}
	go c.writeLoop(nil)
}

var monoEpoch = time.Now()

// monoNow is a monotonic clock reading in nanoseconds.
func monoNow() int64 { return int64(time.Since(monoEpoch)) }

func (p *writerPool) push(h *Hub, c *Conn) bool {
	p.start.Do(func() {
		p.cond.L = &p.mu
		for range runtime.GOMAXPROCS(0) {
			p.wg.Add(1)
			go h.writeRun()
		}
	})
	p.mu.Lock()
	if p.stop {
		p.mu.Unlock()
		return false
	}
	p.ready = append(p.ready, c)
	// Wake a writer when work appears, and another only when the line
	// grows long: a writer woken for every connection would write each
	// as soon as it has one frame, where a moment later it has several
	// (a room queues a broadcast to all its members in one go).
	if waiting := len(p.ready) - p.head; p.idle > 0 && (waiting == 1 || waiting%wakeEvery == 0) {
		p.cond.Signal()
	}
	p.mu.Unlock()
	return true
}

// wakeEvery is how many connections may wait in the run queue per writer
// awake before another is woken.
const wakeEvery = 32

// pop takes the next connection to write, waiting for one; nil once the
// pool stops.
func (p *writerPool) pop() *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.head == len(p.ready) {
		if p.stop {
			return nil
		}
		p.idle++
		p.cond.Wait()
		p.idle--
	}
	c := p.ready[p.head]
	p.ready[p.head] = nil
	p.head++
	switch {
	case p.head == len(p.ready):
		p.ready, p.head = p.ready[:0], 0
	case p.head >= 256 && 2*p.head >= len(p.ready):
		n := copy(p.ready, p.ready[p.head:])
		clear(p.ready[n:])
		p.ready, p.head = p.ready[:n], 0
	}
	return c
}

// writeRun is one shared writer goroutine.
func (h *Hub) writeRun() {
	defer h.writers.wg.Done()
	w := newWriter()
	for c := h.writers.pop(); c != nil; c = h.writers.pop() {
		c.writeReady(w)
	}
}

// stopWriters stops the shared writers once every connection has ended;
// a later write (there should be none) gets a writeLoop. Idempotent.
func (h *Hub) stopWriters() {
	p := &h.writers
	p.start.Do(func() { p.cond.L = &p.mu }) // no writers after this
	p.mu.Lock()
	p.stop = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}
