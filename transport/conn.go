package transport

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options bound one connection. The zero value of each field means its
// documented default.
type Options struct {
	// MaxMessageBytes caps one inbound message (all its fragments). Zero
	// means 1 MiB. Bigger messages close the connection with 1009.
	MaxMessageBytes int
	// OutboxMaxBytes caps the bytes queued for one connection. Zero means
	// 1 MiB. Over it the connection is closed as a slow consumer.
	OutboxMaxBytes int
	// OutboxMaxFrames caps the frames queued for one connection. Zero means
	// 16384.
	OutboxMaxFrames int
	// WriteTimeout is the deadline of one batched write. Zero means 10 s.
	// Hitting it closes the connection as a slow consumer.
	WriteTimeout time.Duration
	// CloseWait is how long to wait for the peer's close frame after ours.
	// Zero means 1 s.
	CloseWait time.Duration
	// GoroutineReaders reads each connection on a goroutine of its own
	// instead of on the hub's epoll readers. Without epoll (other systems,
	// or a net.Conn that is not a socket) connections are read that way
	// anyway.
	GoroutineReaders bool
}

func (o Options) withDefaults() Options {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 1 << 20
	}
	if o.OutboxMaxBytes <= 0 {
		o.OutboxMaxBytes = 1 << 20
	}
	if o.OutboxMaxFrames <= 0 {
		o.OutboxMaxFrames = 16384
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.CloseWait <= 0 {
		o.CloseWait = time.Second
	}

	return o
}

// FrameSink receives a connection's inbound messages, on the reader
// goroutine, in arrival order. It must not block for long.
type FrameSink interface {
	// OnMessage gets one complete data message; payload belongs to the sink.
	OnMessage(c *Conn, op OpCode, payload []byte)
	// OnClose is called exactly once, after the socket is closed.
	OnClose(c *Conn, reason CloseReason)
}

// Conn is one WebSocket connection: a bounded outbox drained by the hub's
// writers, and a reader: the hub's epoll pollers (poll_linux.go) or a reader
// loop on a goroutine of its own.
//
// Writing: Enqueue appends a frame to the queue and, if no writer owns the
// connection, schedules one. A connection coming from idle goes to the hub's
// run queue, where one of its shared writer goroutines writes everything
// queued with one writev that never blocks (poll_linux.go): idle-to-busy
// costs no goroutine. A connection that stays busy (more frames came while
// that write was under way, or its writes went idle only a moment ago) gets
// a writer goroutine of its own, writeLoop, for as long as it stays busy: it
// writes each batch without blocking first, and the frames that arrive while
// a write is in flight go out together in the next one. What a full socket
// cannot take, writeLoop writes blocking, with deadlines; so only busy or
// slow peers cost a goroutine, and they never hold up the shared writers.
type Conn struct {
	id      uint64
	nc      net.Conn
	rc      syscall.RawConn // nc's socket; nil when nc is not one
	hub     *Hub
	opts    *Options
	metrics *Metrics

	mu          sync.Mutex
	q           [][]byte         // queued frames in order; nil: superseded
	spare       [][]byte         // the last batch's array, for reuse
	tags        map[uint64]int32 // while lagging: tag → index in q of its frame
	qBytes      int
	latestIdx   int32 // index in q of the replaceable frame, or -1
	binary      bool
	writing     bool // a writer owns the writes (or the run queue holds c)
	slow        bool // that writer is writeLoop, which may block
	closing     bool
	closeQueued bool
	reason      CloseReason
	peerCode    uint16
	writerWG    sync.WaitGroup // 1 while writing
	idleAt      int64          // monoNow when the writes last went idle

	closeOnce  sync.Once
	closeTimer atomic.Pointer[time.Timer]
	pongSeen   atomic.Bool

	// reader state: touched only by the reader (its goroutine, or the
	// connection's poller once registered)
	rbuf []byte // goroutine reader: read buffer; epoll: nil
	r, w int
	poll pollState // epoll reader (zero for a goroutine reader)
}

func newConn(id uint64, nc net.Conn, h *Hub, binary bool) *Conn {
	c := &Conn{id: id, nc: nc, hub: h, opts: &h.opts, metrics: h.metrics, binary: binary, latestIdx: -1}
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.rc = rc
		}
	}
	c.pongSeen.Store(true)
	return c
}

// setBuffered gives a goroutine reader its read buffer, starting with the
// bytes the HTTP layer read past the handshake.
func (c *Conn) setBuffered(buffered []byte) {
	c.rbuf = make([]byte, max(256, len(buffered)))
	c.w = copy(c.rbuf, buffered)
}

// ID is the connection's process-unique id.
func (c *Conn) ID() uint64 { return c.id }

// Binary reports whether the connection negotiated MessagePack frames.
func (c *Conn) Binary() bool { return c.binary }

// RemoteAddr is the peer address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// Reason returns why the connection closed (ReasonNone while open).
func (c *Conn) Reason() CloseReason {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// Enqueue queues one pre-built frame. It never blocks. Over the outbox
// bounds the connection is closed with ReasonSlowConsumer and
// ErrSlowConsumer is returned.
func (c *Conn) Enqueue(frame []byte) error { return c.enqueue(frame, false, 0) }

// EnqueueLatest queues a frame that supersedes the previous EnqueueLatest
// frame if the writer has not taken that one yet: the stale frame is dropped
// and the new one goes to the end of the queue. Rooms use it for presence
// lists, so a lagging client gets the latest list instead of every one.
func (c *Conn) EnqueueLatest(frame []byte) error { return c.enqueue(frame, true, 0) }

// LagFrames is how many frames must be queued, not yet taken by the writer,
// for a connection to count as lagging in EnqueueTagged.
const LagFrames = 32

// EnqueueTagged queues a frame that carries the latest state of something
// identified by tag (nonzero; a room would use the sender's connection id
// for cursor updates). While the connection lags (LagFrames or more frames
// waiting for the writer), it replaces the waiting frame queued with the same
// tag since the lag began, in that frame's place, instead of adding one: a
// lagging client gets each sender's latest cursor once rather than every
// stale one, and a client that keeps up gets every frame, exactly as with
// Enqueue.
func (c *Conn) EnqueueTagged(frame []byte, tag uint64) error { return c.enqueue(frame, false, tag) }

func (c *Conn) enqueue(frame []byte, latest bool, tag uint64) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	freed := 0
	if latest && c.latestIdx >= 0 {
		freed = len(c.q[c.latestIdx])
		c.q[c.latestIdx] = nil
		c.qBytes -= freed
	}
	replace := int32(-1)
	if tag != 0 && len(c.q) >= LagFrames {
		if i, ok := c.tags[tag]; ok {
			replace = i
			freed = len(c.q[i])
			c.qBytes -= freed
		}
	}
	if c.qBytes+len(frame) > c.opts.OutboxMaxBytes || (replace < 0 && len(c.q) >= c.opts.OutboxMaxFrames) {
		c.mu.Unlock()
		c.metrics.outboxAdd(-freed)
		c.Close(ReasonSlowConsumer)
		return ErrSlowConsumer
	}
	c.qBytes += len(frame)
	if replace >= 0 {
		c.q[replace] = frame // the writer has the connection in hand already
		c.mu.Unlock()
		c.metrics.outboxAdd(len(frame) - freed)
		return nil
	}
	c.q = append(c.q, frame)
	if latest {
		c.latestIdx = int32(len(c.q) - 1)
	}
	if tag != 0 && len(c.q) > LagFrames {
		if c.tags == nil {
			c.tags = make(map[uint64]int32)
		}
		c.tags[tag] = int32(len(c.q) - 1)
	}
	start := c.startWriterLocked()
	hot := start && c.hotLocked()
	c.mu.Unlock()
	c.metrics.outboxAdd(len(frame) - freed)
	if start {
		c.hub.schedule(c, hot)
	}
	return nil
}

// hotWindow: a connection whose writes went idle less than this long ago
// is busy, not idle: frames are coming in a stream.
const hotWindow = 2 * time.Millisecond

// hotLocked reports whether the connection's writes went idle only a
// moment ago.
func (c *Conn) hotLocked() bool {
	return c.idleAt != 0 && monoNow()-c.idleAt < int64(hotWindow)
}

// startWriterLocked reports whether the caller must schedule the writer.
func (c *Conn) startWriterLocked() bool {
	if c.writing {
		return false
	}
	c.writing = true
	c.writerWG.Add(1)
	return true
}

// takeBatch takes everything queued for writing. With nothing queued it
// gives up the writes (arming the close timer after a close frame went out)
// and reports false; the caller then calls writerWG.Done.
func (c *Conn) takeBatch() ([][]byte, bool) {
	c.mu.Lock()
	if len(c.q) == 0 {
		c.writing, c.slow = false, false
		c.idleAt = monoNow()
		c.trimLocked()
		sent := c.closeQueued
		c.mu.Unlock()
		if sent {
			c.armCloseTimer()
		}
		return nil, false
	}
	batch := c.q
	c.q, c.spare = c.spare[:0], nil
	n := c.qBytes
	c.qBytes, c.latestIdx = 0, -1
	if len(c.tags) > 64 {
		c.tags = nil
	} else {
		clear(c.tags)
	}
	c.mu.Unlock()
	c.metrics.outboxAdd(-n)
	return batch, true
}

// maxSpare bounds the queue arrays an idle connection keeps for reuse, so
// that a burst does not pin large arrays to it. A busy connection reuses
// its two arrays whatever their size.
const maxSpare = 64

// trimLocked drops large queue arrays from a connection going idle.
func (c *Conn) trimLocked() {
	if cap(c.q) > maxSpare {
		c.q = nil
	}
	if cap(c.spare) > maxSpare {
		c.spare = nil
	}
}

// writeReady is a shared writer's turn at c: write what is queued without
// blocking, then hand c to a writeLoop of its own if more came meanwhile or
// the socket is full.
func (c *Conn) writeReady(w *writer) {
	batch, ok := c.takeBatch()
	if !ok {
		c.writerWG.Done()
		return
	}
	written, rest, err := w.writeNow(c, batch)
	c.metrics.wrote(written)
	if err != nil {
		clear(batch)
		c.failWrite(err)
		c.writerWG.Done()
		return
	}
	if rest != nil {
		c.mu.Lock()
		c.slow = true
		c.mu.Unlock()
		go c.writeLoop(rest)
		return
	}
	clear(batch)
	c.mu.Lock()
	c.spare = batch[:0]
	more := len(c.q) > 0
	sent := false
	if !more {
		c.writing = false
		c.idleAt = monoNow()
		c.trimLocked()
		sent = c.closeQueued
	}
	c.mu.Unlock()
	if more {
		// Busy: frames came while this write was under way. The connection
		// gets a writer of its own for as long as it stays busy, which
		// the scheduler runs among everything else: the frames that pile up
		// meanwhile go out in one write.
		go c.writeLoop(nil)
		return
	}
	if sent {
		c.armCloseTimer()
	}
	c.writerWG.Done()
}

// writeLoop is the connection's own writer while it is busy: it writes
// batch (the rest of one the shared writers could not finish, or nil) and
// then everything queued until the queue is empty. Each batch is first
// written without blocking; what the socket cannot take is written blocking,
// with deadlines.
func (c *Conn) writeLoop(batch [][]byte) {
	defer c.writerWG.Done()
	bw := newBlockingWriter(c)
	defer bw.release()
	for {
		if batch == nil {
			var ok bool
			if batch, ok = c.takeBatch(); !ok {
				return
			}
			written, rest, err := bw.writeNow(batch)
			c.metrics.wrote(written)
			if err != nil {
				clear(batch)
				c.failWrite(err)
				return
			}
			if rest == nil {
				c.reuse(batch)
				batch = nil
				continue
			}
			c.mu.Lock()
			c.slow = true
			c.mu.Unlock()
			batch = rest
		}
		var written int64
		var err error
		if c.aborting() {
			// Closed for a reason that drops the queue: the close frame gets
			// a moment, not the write timeout, on a peer that may not read.
			if err = c.setWriteDeadline(fastWrite); err == nil {
				written, _, err = bw.write(batch)
			}
		} else {
			written, err = c.writeBatch(&bw, batch)
		}
		c.metrics.wrote(written)
		if err != nil {
			clear(batch)
			c.failWrite(err)
			return
		}
		c.mu.Lock()
		c.slow = false
		c.mu.Unlock()
		c.reuse(batch)
		batch = nil
	}
}

// reuse keeps a written batch's array for the queue.
func (c *Conn) reuse(batch [][]byte) {
	clear(batch)
	c.mu.Lock()
	c.spare = batch[:0]
	c.mu.Unlock()
}

// aborting reports whether the connection is closing for a reason that
// does not flush (its queue holds at most the close frame).
func (c *Conn) aborting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing && !c.reason.Graceful()
}

// failWrite ends the connection after a failed write: a deadline hit means
// a slow consumer.
func (c *Conn) failWrite(err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.fail(ReasonSlowConsumer)
	} else {
		c.fail(ReasonWriteError)
	}
}

// fastWrite is how long a write may hold a shared write slot. A peer that
// does not drain its socket within it finishes on the slow path without one.
const fastWrite = 20 * time.Millisecond

// writeBatch writes frames for writeLoop, blocking. While it holds one of
// the hub's write slots it has a short deadline: bounding how many sockets
// are written at once keeps bursts (a presence list to thousands of members)
// from overflowing the kernel's per-CPU packet backlog, which on loopback
// drops packets and stalls connections for whole retransmission timeouts.
// It clears the deadline when done, for the shared writers' next turn.
func (c *Conn) writeBatch(bw *blockingWriter, batch [][]byte) (int64, error) {
	var total int64
	if c.hub.slots != nil {
		c.hub.slots <- struct{}{}
		err := c.setWriteDeadline(fastWrite)
		if err == nil {
			var n int64
			n, batch, err = bw.write(batch)
			total += n
		}
		<-c.hub.slots
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return total, c.clearDeadline(err)
		}
	}
	if err := c.setWriteDeadline(c.opts.WriteTimeout); err != nil {
		return total, err
	}
	n, _, err := bw.write(batch)
	return total + n, c.clearDeadline(err)
}

func (c *Conn) clearDeadline(err error) error {
	if err != nil {
		return err
	}
	return c.setWriteDeadline(0)
}

// setWriteDeadline sets the socket's write deadline d from now (none for
// zero) — at most fastWrite once the connection is aborting. It runs under
// c.mu, as Close's abort of a stuck write does: whichever comes second wins
// with the right deadline, so a writer moving on to its long deadline can
// never undo the abort and leave a dead peer's connection open for
// WriteTimeout.
func (c *Conn) setWriteDeadline(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing && !c.reason.Graceful() && (d == 0 || d > fastWrite) {
		d = fastWrite
	}
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	return c.nc.SetWriteDeadline(t)
}

// fail closes the socket at once, dropping anything queued.
func (c *Conn) fail(reason CloseReason) {
	c.mu.Lock()
	if !c.closing {
		c.closing, c.reason = true, reason
	}
	n := c.dropQueueLocked()
	c.mu.Unlock()
	c.metrics.outboxAdd(-n)
	c.closeNC()
}

func (c *Conn) dropQueueLocked() int {
	n := c.qBytes
	clear(c.q)
	c.q, c.qBytes, c.latestIdx, c.tags = c.q[:0], 0, -1, nil
	return n
}

// Close closes the connection with a reason. Graceful reasons flush what is
// queued, then send the close frame; the others drop the queue. Reasons with
// code 0 terminate the socket without a close frame. Idempotent.
func (c *Conn) Close(reason CloseReason) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing, c.reason = true, reason
	code := reason.Code()
	if reason == ReasonPeerClosed && c.peerCode != 0 {
		code = c.peerCode
	}
	dropped := 0
	if code == 0 || !reason.Graceful() {
		dropped = c.dropQueueLocked()
	}
	if code == 0 {
		c.mu.Unlock()
		c.metrics.outboxAdd(-dropped)
		c.metrics.closed(reason)
		c.closeNC()
		return
	}
	frame := CloseFrame(code, reason.Text())
	c.q = append(c.q, frame)
	c.qBytes += len(frame)
	c.closeQueued = true
	if c.slow && !reason.Graceful() {
		// Abort a write stuck on a peer that does not read; the writer then
		// fails and terminates the socket. Under c.mu, see setWriteDeadline.
		_ = c.nc.SetWriteDeadline(time.Now()) // best effort: the socket may already be gone
	}
	start := c.startWriterLocked()
	hot := start && c.hotLocked()
	c.mu.Unlock()
	c.metrics.outboxAdd(len(frame) - dropped)
	c.metrics.closed(reason)
	if start {
		c.hub.schedule(c, hot)
	}
}

func (c *Conn) armCloseTimer() {
	t := time.AfterFunc(c.opts.CloseWait, c.closeNC)
	if old := c.closeTimer.Swap(t); old != nil {
		old.Stop()
	}
}

func (c *Conn) closeNC() {
	c.closeOnce.Do(func() {
		_ = c.nc.Close() // the error of closing a socket carries nothing we can act on
		if c.poll.p != nil {
			// A closed socket leaves the epoll set without an event: tell
			// its poller, which ends the reader.
			c.poll.p.socketClosed(c)
		}
	})
}

// ReadLoop reads frames until the connection ends, delivering data messages
// to sink. It answers pings and close frames through the outbox. On return
// the writer has finished, the socket is closed and sink.OnClose was called.
func (c *Conn) ReadLoop(sink FrameSink) {
	c.endRead(sink, c.readFrames(sink))
}

// endRead finishes a connection whose reader stopped for reason: it closes
// (flushing the close frame when the reason is graceful), waits for the
// writer, closes the socket and tells the sink.
func (c *Conn) endRead(sink FrameSink, reason CloseReason) {
	c.Close(reason)
	c.writerWG.Wait()
	if t := c.closeTimer.Load(); t != nil {
		t.Stop()
	}
	c.closeNC()
	sink.OnClose(c, c.Reason())
}

func (c *Conn) readFrames(sink FrameSink) CloseReason {
	var (
		msg   []byte
		msgOp OpCode
		inMsg bool
		max   = uint64(c.opts.MaxMessageBytes)
	)
	for {
		h, err := c.readHeader()
		if err != nil {
			return ReasonReadError
		}
		if h.rsv != 0 || !h.masked {
			return ReasonProtocol
		}
		if h.op.isControl() {
			if !h.fin || h.length > 125 {
				return ReasonProtocol
			}
			p := make([]byte, h.length)
			if err := c.readFull(p); err != nil {
				return ReasonReadError
			}
			unmask(p, h.mask)
			if r := c.onControl(h.op, p); r != ReasonNone {
				return r
			}
			continue
		}
		switch h.op {
		case OpContinuation:
			if !inMsg {
				return ReasonProtocol
			}
		case OpText, OpBinary:
			if inMsg {
				return ReasonProtocol
			}
			msgOp, inMsg = h.op, true
		default:
			return ReasonProtocol
		}
		if h.length > max || uint64(len(msg))+h.length > max {
			c.metrics.dropped("too_big")
			return ReasonTooBig
		}
		start := len(msg)
		if msg == nil {
			msg = make([]byte, h.length)
		} else {
			msg = append(msg, make([]byte, h.length)...)
		}
		if err := c.readFull(msg[start:]); err != nil {
			return ReasonReadError
		}
		unmask(msg[start:], h.mask)
		if h.fin {
			c.metrics.read(len(msg))
			sink.OnMessage(c, msgOp, msg)
			msg, inMsg = nil, false
		}
	}
}

// onControl handles a control frame's payload (unmasked): a ping queues a
// pong, a pong marks the keepalive answered, a close records the peer's code
// and ends the reader with ReasonPeerClosed.
func (c *Conn) onControl(op OpCode, p []byte) CloseReason {
	switch op {
	case OpPing:
		_ = c.Enqueue(Frame(OpPong, p)) // a closing or slow connection needs no pong
	case OpPong:
		c.pongSeen.Store(true)
	case OpClose:
		if len(p) >= 2 {
			code := binary.BigEndian.Uint16(p)
			c.mu.Lock()
			c.peerCode = code
			c.mu.Unlock()
		}
		return ReasonPeerClosed
	default:
		return ReasonProtocol
	}
	return ReasonNone
}

func (c *Conn) readHeader() (header, error) {
	for {
		if h, n := parseHeader(c.rbuf[c.r:c.w]); n > 0 {
			c.r += n
			return h, nil
		}
		if err := c.fillMore(); err != nil {
			return header{}, err
		}
	}
}

// fillMore reads at least one more byte into the read buffer.
func (c *Conn) fillMore() error {
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	if c.w == len(c.rbuf) {
		return ErrProtocol // a header never exceeds 14 bytes
	}
	n, err := c.nc.Read(c.rbuf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (c *Conn) readFull(p []byte) error {
	n := copy(p, c.rbuf[c.r:c.w])
	c.r += n
	if n == len(p) {
		return nil
	}
	_, err := io.ReadFull(c.nc, p[n:])
	return err
}

// sendPing queues a ping and reports whether the previous one was answered.
func (c *Conn) sendPing(frame []byte) bool {
	if !c.pongSeen.Swap(false) {
		return false
	}
	_ = c.Enqueue(frame) // a closing or slow connection is handled by its own close
	return true
}
