package transport

import (
	"context"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Hub tracks every live connection of a server: it assigns ids, owns the
// reader goroutines' WaitGroup, sends keepalive pings, and closes everything
// at shutdown.
type Hub struct {
	opts    Options
	metrics *Metrics

	nextID    atomic.Uint64
	pingFrame []byte
	slots     chan struct{}

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
	c := newConn(h.nextID.Add(1), nc, buffered, &h.opts, h.metrics, binary)
	c.slots = h.slots
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

// Serve runs c's reader loop on a new goroutine owned by the hub (tracked
// by Shutdown) until the connection ends, and returns at once. Every
// connection returned by NewConn must be served exactly once. The HTTP
// handler that upgraded the connection returns right away, so nothing of
// net/http (request, buffers, grown handler stack) stays alive with it.
func (h *Hub) Serve(c *Conn, sink FrameSink) {
	go h.serve(c, sink)
}

func (h *Hub) serve(c *Conn, sink FrameSink) {
	defer h.readersWG.Done()
	c.ReadLoop(sink)
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.metrics.connAdd(-1)
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
// waits (until ctx is done) for their reader loops to finish.
func (h *Hub) Shutdown(ctx context.Context, reason CloseReason) error {
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
