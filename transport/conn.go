package transport

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
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

// Conn is one WebSocket connection: a bounded outbox drained by an
// on-demand writer, and a reader loop run by the goroutine that owns it.
type Conn struct {
	id      uint64
	nc      net.Conn
	opts    *Options
	metrics *Metrics
	binary  bool
	slots   chan struct{} // shared write slots (nil: unbounded)

	mu          sync.Mutex
	q           [][]byte
	spare       [][]byte
	qBytes      int
	latestIdx   int // index in q of the replaceable frame, or -1
	writing     bool
	closing     bool
	closeQueued bool
	reason      CloseReason
	peerCode    uint16
	writerWG    sync.WaitGroup

	closeOnce  sync.Once
	closeTimer atomic.Pointer[time.Timer]
	pongSeen   atomic.Bool

	// reader state: touched only by the reader goroutine
	rbuf []byte
	r, w int
}

func newConn(id uint64, nc net.Conn, buffered []byte, opts *Options, m *Metrics, binary bool) *Conn {
	size := 256
	if len(buffered) > size {
		size = len(buffered)
	}
	c := &Conn{id: id, nc: nc, opts: opts, metrics: m, binary: binary, latestIdx: -1, rbuf: make([]byte, size)}
	c.w = copy(c.rbuf, buffered)
	c.pongSeen.Store(true)
	return c
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
func (c *Conn) Enqueue(frame []byte) error { return c.enqueue(frame, false) }

// EnqueueLatest queues a frame that supersedes the previous EnqueueLatest
// frame if the writer has not taken that one yet: the stale frame is dropped
// and the new one goes to the end of the queue. Rooms use it for presence
// lists, so a lagging client gets the latest list instead of every one.
func (c *Conn) EnqueueLatest(frame []byte) error { return c.enqueue(frame, true) }

func (c *Conn) enqueue(frame []byte, latest bool) error {
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
	if c.qBytes+len(frame) > c.opts.OutboxMaxBytes || len(c.q) >= c.opts.OutboxMaxFrames {
		c.mu.Unlock()
		c.metrics.outboxAdd(-freed)
		c.Close(ReasonSlowConsumer)
		return ErrSlowConsumer
	}
	c.q = append(c.q, frame)
	if latest {
		c.latestIdx = len(c.q) - 1
	}
	c.qBytes += len(frame)
	start := c.startWriterLocked()
	c.mu.Unlock()
	c.metrics.outboxAdd(len(frame) - freed)
	if start {
		go c.writeLoop()
	}
	return nil
}

// startWriterLocked reports whether the caller must start the writer.
func (c *Conn) startWriterLocked() bool {
	if c.writing {
		return false
	}
	c.writing = true
	c.writerWG.Add(1)
	return true
}

func (c *Conn) writeLoop() {
	defer c.writerWG.Done()
	var batch [][]byte
	for {
		c.mu.Lock()
		if len(c.q) == 0 {
			c.writing = false
			sent := c.closeQueued
			c.mu.Unlock()
			if sent {
				c.armCloseTimer()
			}
			return
		}
		batch, c.q = c.q, c.spare[:0]
		n := c.qBytes
		c.qBytes, c.latestIdx = 0, -1
		c.mu.Unlock()
		c.metrics.outboxAdd(-n)

		written, err := c.writeBatch(batch)
		c.metrics.wrote(written)
		clear(batch)
		c.mu.Lock()
		c.spare = batch[:0]
		c.mu.Unlock()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.fail(ReasonSlowConsumer)
			} else {
				c.fail(ReasonWriteError)
			}
			return
		}
	}
}

// fastWrite is how long a write may hold a shared write slot. A peer that
// does not drain its socket within it finishes on the slow path without one.
const fastWrite = 20 * time.Millisecond

// writeBatch writes frames with one writev. While it holds one of the hub's
// write slots it has a short deadline: bounding how many sockets are written
// at once keeps bursts (a presence list to thousands of members) from
// overflowing the kernel's per-CPU packet backlog, which on loopback drops
// packets and stalls connections for whole retransmission timeouts.
func (c *Conn) writeBatch(batch [][]byte) (int64, error) {
	bufs := net.Buffers(batch)
	var total int64
	if c.slots != nil {
		c.slots <- struct{}{}
		err := c.nc.SetWriteDeadline(time.Now().Add(fastWrite))
		if err == nil {
			var n int64
			n, err = bufs.WriteTo(c.nc)
			total += n
		}
		<-c.slots
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return total, err
		}
	}
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout)); err != nil {
		return total, err
	}
	n, err := bufs.WriteTo(c.nc)
	return total + n, err
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
	c.q, c.qBytes, c.latestIdx = c.q[:0], 0, -1
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
	busy := c.writing
	start := c.startWriterLocked()
	c.mu.Unlock()
	c.metrics.outboxAdd(len(frame) - dropped)
	c.metrics.closed(reason)
	if busy && !reason.Graceful() {
		// Abort a write stuck on a peer that does not read; the writer then
		// fails and terminates the socket.
		_ = c.nc.SetWriteDeadline(time.Now()) // best effort: the socket may already be gone
	}
	if start {
		go c.writeLoop()
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
	})
}

// ReadLoop reads frames until the connection ends, delivering data messages
// to sink. It answers pings and close frames through the outbox. On return
// the writer has finished, the socket is closed and sink.OnClose was called.
func (c *Conn) ReadLoop(sink FrameSink) {
	reason := c.readFrames(sink)
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
			switch h.op {
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
