//go:build linux

package transport

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The epoll read path. An idle connection read by a goroutine of its own
// costs that goroutine's stack (≈ 4 KiB here) and a read buffer; read by the
// hub's pollers it costs neither: GOMAXPROCS goroutines each own an epoll
// instance (level-triggered) and a read buffer, and every socket is
// registered with one of them. On a readiness event the poller reads what
// the socket holds without blocking, hands each complete message to the
// connection's FrameSink exactly as the goroutine reader would (same order,
// same control-frame handling, same limits) and keeps the bytes of an
// incomplete frame with the connection until the rest arrives. Writes stay
// with the connection's writers. A poller never blocks in epoll_wait: its
// epoll instance is registered with Go's netpoller (it is readable while
// events are ready), so an idle poller is parked like any goroutine waiting
// for a socket and gives its P to others, instead of holding it in a
// system call until sysmon takes it away.
//
// Sockets are identified in the epoll events by a slot index and a
// generation, never by file descriptor (a closed descriptor's number is
// reused by the next accepted socket), and are read and removed through
// their RawConn, which keeps a closed descriptor from being touched.
//
// A socket closed by someone else (the writer on an error, the close timer,
// Shutdown) leaves the epoll set without an event, so closeNC tells the
// poller, which then ends that connection's reader like a failed read.
// Ending a reader (Close, waiting for the writer, OnClose) can wait, so it
// runs on a goroutine of its own, counted by the hub until it is done.

const (
	pollReadSize  = 64 << 10 // bytes read per readiness event at most
	pollSmallPend = 4 << 10  // a partial frame up to this size is re-read through the poller's buffer
	pollEvents    = 256      // events taken per epoll_wait
	pollWakeFd    = -1       // event data of the wake-up eventfd
)

// pollSet is the hub's pollers, started with the first polled connection.
type pollSet struct {
	start   sync.Once
	stop    sync.Once
	pollers []*poller
	wg      sync.WaitGroup // the pollers' loops
}

// poller is one epoll instance and the goroutine that serves it.
type poller struct {
	h      *Hub
	epfd   int
	epFile *os.File        // epfd, registered with Go's netpoller
	epRC   syscall.RawConn // epFile's, for waiting on it
	evfd   int             // eventfd: wakes the loop for closed sockets and for stopping

	mu     sync.Mutex
	slots  []pollSlot // by slot index: the registered connection
	free   []uint32
	closed []*Conn // sockets closed elsewhere, for the loop to end
	stop   bool
	broken bool // the loop failed: connections are read by goroutines

	// Owned by the loop goroutine.
	events []unix.EpollEvent
	nev    int
	everr  error
	waitFn func(fd uintptr) bool
	buf    []byte
	spare  []*Conn
	rd     []byte // the read of readFn: into rd, result in rn, rerr
	rn     int
	rerr   error
	readFn func(fd uintptr) bool
}

type pollSlot struct {
	c   *Conn
	gen uint32
}

// pollerFor picks the poller that will read c, or nil when c is read by a
// goroutine: so configured, not a socket, or no epoll.
func (h *Hub) pollerFor(c *Conn) *poller {
	if h.opts.GoroutineReaders || c.rc == nil {
		return nil
	}
	h.polls.start.Do(h.startPollers)
	ps := h.polls.pollers
	if len(ps) == 0 {
		return nil
	}
	p := ps[c.id%uint64(len(ps))]
	p.mu.Lock()
	broken := p.broken || p.stop
	p.mu.Unlock()
	if broken {
		return nil
	}
	c.poll.p = p
	return p
}

// startPollers creates one poller per P. If epoll is unavailable it creates
// none and every connection gets a goroutine.
func (h *Hub) startPollers() {
	n := runtime.GOMAXPROCS(0)
	ps := make([]*poller, 0, n)
	for range n {
		p, err := newPoller(h)
		if err != nil {
			for _, p := range ps {
				p.closeFds()
			}
			return
		}
		ps = append(ps, p)
	}
	h.polls.pollers = ps
	for _, p := range ps {
		h.polls.wg.Add(1)
		go p.loop()
	}
}

func newPoller(h *Hub) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		_ = unix.Close(epfd) // nothing was registered with it
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: pollWakeFd}
	err = unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev)
	if err == nil {
		err = unix.SetNonblock(epfd, true)
	}
	if err != nil {
		_ = unix.Close(epfd) // unused
		_ = unix.Close(evfd) // unused
		return nil, err
	}
	// The epoll instance is itself watched by Go's netpoller (it is
	// readable while events are ready), so the loop waits for it parked
	// like any goroutine waiting for a socket, not in a blocking
	// epoll_wait that would hold on to its P.
	f := os.NewFile(uintptr(epfd), "transport-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()        // closes epfd
		_ = unix.Close(evfd) // unused
		return nil, err
	}
	p := &poller{h: h, epfd: epfd, evfd: evfd, epFile: f, epRC: rc, buf: make([]byte, pollSmallPend+pollReadSize)}
	p.events = make([]unix.EpollEvent, pollEvents)
	p.readFn = func(fd uintptr) bool {
		p.rn, p.rerr = unix.Read(int(fd), p.rd)
		return true // never wait: the poller waits for all sockets at once
	}
	p.waitFn = func(fd uintptr) bool {
		p.nev, p.everr = unix.EpollWait(int(fd), p.events, 0)
		// Nothing ready: false parks the loop until the instance is
		// readable again.
		return p.nev > 0 || p.everr != nil
	}
	return p, nil
}

func (p *poller) closeFds() {
	_ = p.epFile.Close() // the loop has stopped; nothing to report
	_ = unix.Close(p.evfd)
}

// stopPollers stops the pollers (after every connection has ended) and
// keeps new ones from starting. Idempotent.
func (h *Hub) stopPollers() {
	h.polls.start.Do(func() {}) // no pollers after this
	h.polls.stop.Do(func() {
		for _, p := range h.polls.pollers {
			p.mu.Lock()
			p.stop = true
			p.mu.Unlock()
			p.wake()
		}
		h.polls.wg.Wait()
		for _, p := range h.polls.pollers {
			p.closeFds()
		}
	})
}

func (p *poller) wake() {
	one := [8]byte{1}
	_, _ = unix.Write(p.evfd, one[:]) // only fails when the counter is full: the loop is woken anyway
}

// serve starts reading c: first the bytes that came with the handshake, on
// the caller's goroutine, then from the socket on the poller's.
func (p *poller) serve(c *Conn, sink FrameSink) {
	st := &c.poll
	st.sink = sink
	if len(st.pend) > 0 {
		used, reason := c.parseFrames(sink, st.pend)
		if reason != ReasonNone {
			p.mu.Lock()
			st.state = pollDone
			p.mu.Unlock()
			p.end(c, reason)
			return
		}
		st.pend = keepPending(st.pend[used:])
	}
	p.mu.Lock()
	if st.closed || p.stop || p.broken {
		st.state = pollDone
		p.mu.Unlock()
		p.end(c, ReasonReadError)
		return
	}
	if len(p.free) > 0 {
		st.slot = p.free[len(p.free)-1]
		p.free = p.free[:len(p.free)-1]
	} else {
		st.slot = uint32(len(p.slots))
		p.slots = append(p.slots, pollSlot{})
	}
	st.gen = p.slots[st.slot].gen
	p.slots[st.slot].c = c
	st.state = pollRegistered
	p.mu.Unlock()
	var addErr error
	err := c.rc.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(st.slot), Pad: int32(st.gen)}
		addErr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err != nil || addErr != nil {
		// Closed meanwhile, or refused: let the loop end it like a
		// closed socket.
		p.socketClosed(c)
	}
}

// socketClosed is called once c's socket is closed: a registered
// connection is queued for the loop to end.
func (p *poller) socketClosed(c *Conn) {
	st := &c.poll
	p.mu.Lock()
	queued := false
	switch st.state {
	case pollNew:
		st.closed = true // serve ends it
	case pollRegistered:
		p.closed = append(p.closed, c)
		queued = true
	}
	p.mu.Unlock()
	if queued {
		p.wake()
	}
}

func (p *poller) loop() {
	defer p.h.polls.wg.Done()
	for {
		if err := p.epRC.Read(p.waitFn); err != nil {
			p.fail()
			return
		}
		if p.everr != nil {
			if p.everr == unix.EINTR {
				continue
			}
			p.fail()
			return
		}
		for i := range p.nev {
			ev := &p.events[i]
			if ev.Fd == pollWakeFd {
				if p.woken() {
					return
				}
				continue
			}
			if c := p.lookup(uint32(ev.Fd), uint32(ev.Pad)); c != nil && !c.poll.done {
				p.readable(c)
			}
		}
	}
}

func (p *poller) lookup(slot, gen uint32) *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(slot) >= len(p.slots) || p.slots[slot].gen != gen {
		return nil
	}
	return p.slots[slot].c
}

// woken ends the connections whose sockets closed and reports whether the
// loop must stop.
func (p *poller) woken() bool {
	var b [8]byte
	_, _ = unix.Read(p.evfd, b[:]) // resets the counter; EAGAIN when already reset
	p.mu.Lock()
	closed := p.closed
	p.closed = p.spare[:0]
	stop := p.stop
	p.mu.Unlock()
	for _, c := range closed {
		if !c.poll.done {
			p.finish(c, ReasonReadError)
		}
	}
	clear(closed)
	p.spare = closed[:0]
	if stop {
		// Shutdown stops the pollers after every reader has ended, so
		// nothing is left; should anything be, it is not left hanging.
		p.finishAll()
	}
	return stop
}

// fail ends every connection of a poller whose epoll instance failed; new
// connections get goroutine readers.
func (p *poller) fail() {
	p.mu.Lock()
	p.broken = true
	p.mu.Unlock()
	p.finishAll()
}

func (p *poller) finishAll() {
	p.mu.Lock()
	var all []*Conn
	for _, s := range p.slots {
		if s.c != nil {
			all = append(all, s.c)
		}
	}
	p.mu.Unlock()
	for _, c := range all {
		if !c.poll.done {
			p.finish(c, ReasonReadError)
		}
	}
}

// readable reads what c's socket holds and handles the complete frames.
func (p *poller) readable(c *Conn) {
	st := &c.poll
	var off int
	direct := len(st.pend) > pollSmallPend
	if direct {
		// A large frame in progress: read straight into its buffer, grown
		// as the frame's bytes arrive (never beyond the frame), so that a
		// peer announcing a large frame does not get it allocated upfront.
		if cap(st.pend) == len(st.pend) {
			st.pend = growPending(st.pend)
		}
		p.rd = st.pend[len(st.pend):cap(st.pend)]
	} else {
		off = copy(p.buf, st.pend)
		p.rd = p.buf[off:]
	}
	err := c.rc.Read(p.readFn)
	p.rd = nil
	n, rerr := p.rn, p.rerr
	if err != nil {
		p.finish(c, ReasonReadError) // the socket is closed
		return
	}
	if rerr == unix.EAGAIN || rerr == unix.EINTR {
		return // nothing after all; level-triggered, so nothing is missed
	}
	if rerr != nil || n <= 0 {
		p.finish(c, ReasonReadError) // EOF or a socket error
		return
	}
	var data []byte
	if direct {
		st.pend = st.pend[:len(st.pend)+n]
		data = st.pend
	} else {
		data = p.buf[:off+n]
	}
	used, reason := c.parseFrames(st.sink, data)
	if reason != ReasonNone {
		p.finish(c, reason)
		return
	}
	switch {
	case used == len(data):
		st.pend = nil
	case direct && used == 0:
		// still the same frame: keep its buffer
	default:
		st.pend = keepPending(data[used:])
	}
}

// keepPending copies the bytes of an incomplete frame into a buffer of its
// own, with room for the rest of the frame up to pollReadSize more.
func keepPending(rest []byte) []byte {
	if len(rest) == 0 {
		return nil
	}
	b := make([]byte, len(rest), pendingCap(rest, len(rest)+pollReadSize))
	copy(b, rest)
	return b
}

// growPending doubles the room of a pending frame's buffer, up to the
// frame's size.
func growPending(pend []byte) []byte {
	b := make([]byte, len(pend), pendingCap(pend, 2*cap(pend)))
	copy(b, pend)
	return b
}

// pendingCap is want, but no more than the whole frame starting pend
// (parseFrames has checked its size against the limits) and at least one
// byte more than pend holds. A pend without a complete header is kept
// exactly: it is re-read through the poller's buffer.
func pendingCap(pend []byte, want int) int {
	size := frameSize(pend)
	if size == 0 {
		return len(pend)
	}
	return max(min(want, size), len(pend)+1)
}

// finish stops reading c (on the loop goroutine) and ends it.
func (p *poller) finish(c *Conn, reason CloseReason) {
	st := &c.poll
	st.done = true
	p.mu.Lock()
	if st.state == pollRegistered {
		p.slots[st.slot] = pollSlot{gen: st.gen + 1}
		p.free = append(p.free, st.slot)
	}
	st.state = pollDone
	p.mu.Unlock()
	// A closed socket has left the epoll set already (and Control fails).
	_ = c.rc.Control(func(fd uintptr) {
		_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(fd), nil) // best effort, see above
	})
	st.pend, st.frag = nil, nil
	p.end(c, reason)
}

// end runs the end of c's reader on a goroutine of its own: it may wait for
// the writer to flush the close frame. The hub counts it until it is done.
func (p *poller) end(c *Conn, reason CloseReason) {
	sink := c.poll.sink
	go func() {
		c.endRead(sink, reason)
		p.h.connDone(c)
	}()
}

// The writes that never block.

// nonBlockingWrites: the hub's shared writers can write a socket without
// blocking (writer.writeNow).
const nonBlockingWrites = true

// maxIov is the most buffers one writev takes (IOV_MAX).
const maxIov = 1024

// writer is the state of one of the hub's writer goroutines, or of one
// writeLoop: the iovec array of its writev, reused.
type writer struct {
	iov  []unix.Iovec
	n    int
	err  unix.Errno
	now  func(fd uintptr) bool // one writev, never waits
	wait func(fd uintptr) bool // one writev, waits while the socket is full
}

func newWriter() *writer {
	w := &writer{}
	w.now = func(fd uintptr) bool {
		w.writev(fd)
		return true
	}
	w.wait = func(fd uintptr) bool {
		w.writev(fd)
		return w.err != unix.EAGAIN // false: wait until writable, then again
	}
	return w
}

func (w *writer) writev(fd uintptr) {
	r, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
	w.n, w.err = int(r), e
	if e != 0 {
		w.n = 0
	}
}

// fill points the iovecs at the first frames of batch (at most maxIov) and
// returns how many frames that took and their bytes.
func (w *writer) fill(batch [][]byte) (frames, size int) {
	w.iov = w.iov[:0]
	for frames < len(batch) && len(w.iov) < maxIov {
		b := batch[frames]
		frames++
		if len(b) == 0 {
			continue // superseded
		}
		v := unix.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		w.iov = append(w.iov, v)
		size += len(b)
	}
	return frames, size
}

// writeNow writes batch to c's socket without waiting. rest is what the
// socket could not take (nil when it took everything); err a socket error.
func (w *writer) writeNow(c *Conn, batch [][]byte) (written int64, rest [][]byte, err error) {
	for len(batch) > 0 {
		frames, size := w.fill(batch)
		if size == 0 {
			batch = batch[frames:]
			continue
		}
		w.n, w.err = 0, 0
		err := c.rc.Write(w.now)
		clear(w.iov) // keep no frame alive
		if err != nil {
			return written, nil, err // the socket is closed
		}
		if w.err != 0 && w.err != unix.EAGAIN && w.err != unix.EINTR {
			return written, nil, w.err
		}
		written += int64(w.n)
		if w.n < size {
			return written, advance(batch, w.n), nil
		}
		batch = batch[frames:]
	}
	return written, nil, nil
}

// blockingWriter writes for writeLoop: it waits while the socket is full,
// within the connection's write deadline.
type blockingWriter struct {
	c *Conn
	w *writer // nil: nc is not a socket, written through net.Buffers
}

// writers keeps writeLoop's writers (and their iovec arrays) between busy
// spells.
var writers = sync.Pool{New: func() any { return newWriter() }}

func newBlockingWriter(c *Conn) blockingWriter {
	bw := blockingWriter{c: c}
	if c.rc != nil {
		bw.w = writers.Get().(*writer)
	}
	return bw
}

// release gives the writer back.
func (bw *blockingWriter) release() {
	if bw.w != nil {
		if cap(bw.w.iov) > maxIov/4 {
			bw.w.iov = nil // do not keep a large array after a burst
		}
		writers.Put(bw.w)
		bw.w = nil
	}
}

// writeNow writes batch as far as the socket takes it without waiting.
func (bw *blockingWriter) writeNow(batch [][]byte) (written int64, rest [][]byte, err error) {
	if bw.w == nil {
		return 0, batch, nil
	}
	return bw.w.writeNow(bw.c, batch)
}

// write writes batch; on an error rest is what was not written.
func (bw *blockingWriter) write(batch [][]byte) (written int64, rest [][]byte, err error) {
	if bw.w == nil {
		return writeBuffers(bw.c, batch)
	}
	w := bw.w
	for len(batch) > 0 {
		frames, size := w.fill(batch)
		if size == 0 {
			batch = batch[frames:]
			continue
		}
		w.n, w.err = 0, 0
		err := bw.c.rc.Write(w.wait)
		clear(w.iov)
		written += int64(w.n)
		if err == nil && w.err != 0 && w.err != unix.EINTR {
			err = w.err
		}
		if err != nil {
			return written, advance(batch, w.n), err
		}
		if w.n < size {
			batch = advance(batch, w.n)
			continue
		}
		batch = batch[frames:]
	}
	return written, nil, nil
}
