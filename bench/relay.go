package bench

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// The relay baseline: a WebSocket server with no protocol logic, the
// physical limit of fan-out on this machine for the bench to compare a real
// server against. Connections to /rooms/<id> (and /yjs/<id>) with the same id
// form a room; every text or binary message received is framed once and
// queued to every other member. Each connection has one reader, one writer
// and a bounded outbox; nothing else. For /yjs it also sends an empty
// SyncStep1 on connect and answers any SyncStep1 with an empty SyncStep2, so
// that y-websocket clients run; it never sends presence or storage, so
// scenarios that need them report "n/a on relay".

const (
	relayMaxMessage      = 16 << 20
	relayOutboxBytes     = 8 << 20 // a member further behind is dropped
	relayHandshakeTimout = 10 * time.Second
)

// relayHandshakeHeader tells bench clients that this is the relay.
const relayHandshakeHeader = ws.HandshakeHeaderString(relayHeader + ": " + relayHeaderValue + "\r\n")

// RunRelay serves the relay baseline on addr (e.g. "127.0.0.1:0") until ctx
// is done, then closes every connection and returns once all its goroutines
// have exited. ready, if not nil, is called with the listening address.
func RunRelay(ctx context.Context, addr string, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	h := &relayHub{rooms: map[string]*relayRoom{}, conns: map[*relayConn]struct{}{}}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
		case <-stop:
		}
		ln.Close()
	}()
	// Ready only once every goroutine of an idle relay runs: a caller
	// counting goroutines from here sees a steady number.
	if ready != nil {
		ready(ln.Addr().String())
	}
	var acceptErr error
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				acceptErr = err
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.serve(ctx, conn)
		}()
	}
	close(stop)
	h.closeAll()
	wg.Wait()
	return acceptErr
}

// relayHub is the room registry of one relay.
type relayHub struct {
	mu     sync.Mutex
	rooms  map[string]*relayRoom
	conns  map[*relayConn]struct{}
	closed bool
}

// relayRoom holds its members as an immutable slice, replaced on join and
// leave, so that a broadcast reads it without a lock.
type relayRoom struct {
	members atomic.Pointer[[]*relayConn]
}

func (h *relayHub) join(key string, c *relayConn) (*relayRoom, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	room := h.rooms[key]
	if room == nil {
		room = &relayRoom{}
		room.members.Store(&[]*relayConn{})
		h.rooms[key] = room
	}
	old := *room.members.Load()
	next := append(append(make([]*relayConn, 0, len(old)+1), old...), c)
	room.members.Store(&next)
	h.conns[c] = struct{}{}
	return room, true
}

func (h *relayHub) leave(key string, room *relayRoom, c *relayConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	old := *room.members.Load()
	next := make([]*relayConn, 0, len(old))
	for _, m := range old {
		if m != c {
			next = append(next, m)
		}
	}
	room.members.Store(&next)
	if len(next) == 0 {
		delete(h.rooms, key)
	}
}

// closeAll refuses new members and drops every connection.
func (h *relayHub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.conns {
		c.kill()
	}
}

// relayPath parses "/rooms/<id>..." or "/yjs/<id>..." into a room key.
func relayPath(uri string) (key string, yjs bool, status int) {
	path, _, _ := strings.Cut(uri, "?")
	var rest string
	switch {
	case strings.HasPrefix(path, "/rooms/"):
		rest = path[len("/rooms/"):]
	case strings.HasPrefix(path, "/yjs/"):
		rest, yjs = path[len("/yjs/"):], true
	default:
		return "", false, 404
	}
	id, _, _ := strings.Cut(rest, "/")
	if id == "" {
		return "", false, 400
	}
	if yjs {
		return "yjs/" + id, true, 0
	}
	return "rooms/" + id, false, 0
}

// serve upgrades conn and relays its messages until it ends.
func (h *relayHub) serve(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	var key string
	var yjs bool
	u := ws.Upgrader{
		Header: relayHandshakeHeader,
		OnRequest: func(uri []byte) error {
			var status int
			key, yjs, status = relayPath(string(uri))
			if status != 0 {
				return ws.RejectConnectionError(ws.RejectionStatus(status))
			}
			return nil
		},
	}
	if conn.SetDeadline(time.Now().Add(relayHandshakeTimout)) != nil {
		return
	}
	if _, err := u.Upgrade(conn); err != nil {
		return
	}
	if conn.SetDeadline(time.Time{}) != nil {
		return
	}
	c := newRelayConn(conn)
	room, ok := h.join(key, c)
	if !ok {
		return
	}
	defer h.leave(key, room, c)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.writeLoop()
	}()
	defer wg.Wait()
	defer c.kill()
	if ctx.Err() != nil {
		return
	}
	if yjs {
		c.push(appendFrame(nil, ws.OpBinary, []byte(ywsEmptySyncStep1), false, [4]byte{}))
	}
	c.readLoop(room, yjs)
}

// relayConn is one relay connection: its reader runs in serve, its writer
// in writeLoop, and others reach it only through push.
type relayConn struct {
	conn     net.Conn
	done     chan struct{}
	killOnce sync.Once

	mu    sync.Mutex
	q     [][]byte
	spare [][]byte
	bytes int
	final bool // a close frame is queued: write it, then stop
	wake  chan struct{}
}

func newRelayConn(conn net.Conn) *relayConn {
	return &relayConn{conn: conn, done: make(chan struct{}), wake: make(chan struct{}, 1)}
}

// push queues a complete frame without blocking. A member whose queue is
// over relayOutboxBytes is dropped rather than slowing the room.
func (c *relayConn) push(frame []byte) { c.enqueue(frame, false) }

// pushFinal queues the last frame (a close reply); later pushes are dropped
// and the writer stops after sending it.
func (c *relayConn) pushFinal(frame []byte) { c.enqueue(frame, true) }

func (c *relayConn) enqueue(frame []byte, final bool) {
	c.mu.Lock()
	if c.final {
		c.mu.Unlock()
		return
	}
	if c.bytes+len(frame) > relayOutboxBytes {
		c.mu.Unlock()
		c.kill()
		return
	}
	c.q = append(c.q, frame)
	c.bytes += len(frame)
	c.final = final
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// kill ends the connection at once; safe from any goroutine, any number of
// times.
func (c *relayConn) kill() {
	c.killOnce.Do(func() {
		close(c.done)
		c.conn.Close()
	})
}

// writeLoop writes everything queued as one batch per wake-up.
func (c *relayConn) writeLoop() {
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		}
		c.mu.Lock()
		batch := c.q
		c.q, c.spare = c.spare[:0], nil
		c.bytes = 0
		final := c.final
		c.mu.Unlock()
		if len(batch) > 0 {
			bufs := net.Buffers(batch)
			if c.conn.SetWriteDeadline(time.Now().Add(writeTimeout)) != nil {
				c.kill()
				return
			}
			if _, err := bufs.WriteTo(c.conn); err != nil {
				c.kill()
				return
			}
		}
		clear(batch)
		c.mu.Lock()
		c.spare = batch[:0]
		c.mu.Unlock()
		if final {
			c.kill()
			return
		}
	}
}

// readLoop forwards every message to the other members of room.
func (c *relayConn) readLoop(room *relayRoom, yjs bool) {
	fr := newFrameReader(bufio.NewReaderSize(c.conn, 4096), relayMaxMessage)
	for {
		op, p, err := fr.next()
		if err != nil {
			if errors.Is(err, errFrameTooBig) {
				c.pushFinal(appendFrame(nil, ws.OpClose, ws.NewCloseFrameBody(ws.StatusMessageTooBig, ""), false, [4]byte{}))
			}
			return
		}
		switch op {
		case ws.OpPing:
			c.push(appendFrame(nil, ws.OpPong, p, false, [4]byte{}))
		case ws.OpPong:
		case ws.OpClose:
			code, _ := ws.ParseCloseFrameData(p)
			if code == 0 {
				code = ws.StatusNormalClosure
			}
			c.pushFinal(appendFrame(nil, ws.OpClose, ws.NewCloseFrameBody(code, ""), false, [4]byte{}))
			c.waitWriter()
			return
		default:
			if yjs && op == ws.OpBinary && len(p) >= 2 && p[0] == ywsSync && p[1] == ywsSyncStep1 {
				c.push(appendFrame(nil, ws.OpBinary, []byte(ywsEmptySyncStep2), false, [4]byte{}))
				continue
			}
			frame := appendFrame(make([]byte, 0, len(p)+10), op, p, false, [4]byte{})
			for _, m := range *room.members.Load() {
				if m != c {
					m.push(frame)
				}
			}
		}
	}
}

// waitWriter waits (bounded by the writer's deadline) for the writer to
// send the final frame and stop.
func (c *relayConn) waitWriter() {
	t := time.NewTimer(writeTimeout)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
	}
}
