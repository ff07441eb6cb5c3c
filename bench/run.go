package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math"
	mrand "math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gobwas/ws"
)

// scenario is what differs between the bench scenarios; run holds the rest.
type scenario interface {
	// path is the request path and query for client c.
	path(r *run, c *client) string
	// onMessage handles one data message received by c, on c's reader.
	onMessage(r *run, c *client, op ws.OpCode, msg []byte)
	// send sends c's next periodic message carrying stamp (µs since the
	// run's epoch); sent is false when c has nothing to send yet.
	send(r *run, c *client, stamp int64) (sent bool, err error)
	// expectedPerSend is how many deliveries one send should produce in a
	// room of n connected members.
	expectedPerSend(n int) int
	// drive runs the phases, from connecting to closing.
	drive(ctx context.Context, r *run) error
}

// streamingScenario is a scenario that reads its clients' data messages
// piece by piece as they arrive (into the sink it gives each client) instead
// of whole; its onMessage then gets a nil payload at the end of each.
type streamingScenario interface {
	sink(r *run, c *client) pieceSink
}

// Phases, for the progress line.
const (
	phaseConnecting int32 = iota
	phasePreparing
	phaseWarmup
	phaseMeasuring
	phaseDraining
	phaseClosing
	phaseDone
)

func phaseName(p int32) string {
	switch p {
	case phaseConnecting:
		return "connect"
	case phasePreparing:
		return "prepare"
	case phaseWarmup:
		return "warmup"
	case phaseMeasuring:
		return "measure"
	case phaseDraining:
		return "drain"
	case phaseClosing:
		return "close"
	}
	return "done"
}

// run is one execution of a scenario against one server.
type run struct {
	opt    settled
	target string // ws://host:port
	sc     scenario
	name   string
	runID  string
	epoch  time.Time
	yBase  uint32 // base of Yjs client ids

	clients []*client
	rooms   [][]*client

	winStart atomic.Int64 // µs since epoch; MaxInt64 until the window is set
	winEnd   atomic.Int64
	phase    atomic.Int32
	relay    atomic.Bool // a handshake announced the bench relay
	closing  atomic.Bool // our own shutdown: closes are expected

	lat      *latencyRecorder
	errs     errorTally
	connMu   sync.Mutex
	connHist *hdrhistogram.Histogram

	attempted, connected, failed atomic.Int64
	connectTime                  time.Duration

	readers  sync.WaitGroup // one reader goroutine per connected client
	senders  sync.WaitGroup // one sender goroutine per sending client
	stopSend chan struct{}

	proc        procReadings
	sendMembers atomic.Pointer[[]int] // connected members per room when senders started

	js joinStorm // joinstorm only
}

// client is one simulated user.
type client struct {
	idx, room, seat int
	userID          string
	cc              *clientConn

	alive     atomic.Bool
	failed    atomic.Bool
	recv      atomic.Int64 // every data message received
	delivered atomic.Int64 // measured deliveries (stamp inside the window)
	sent      atomic.Int64 // measured sends
	sentTotal atomic.Int64

	// Owned by the reader goroutine.
	batch latencyBatch
	msg   livelyMsg
	renc  livelyEncoder
	join  joinView

	// Owned by the sender goroutine.
	senc livelyEncoder
	ytw  yTextWriter

	// Shared between reader and sender.
	ready    atomic.Bool
	initSent atomic.Bool
	clock    atomic.Int64

	// Flow control with --rate max: deliveries of c's messages still
	// outstanding; receivers signal credit when it drops to creditAt.
	// credit is set in newRun (nil without --rate max) and perSend before
	// the sender starts; creditAt is read by other clients' readers.
	inflight atomic.Int64
	creditAt atomic.Int64
	perSend  int64
	credit   chan struct{}
}

func newRun(opt settled, target string, sc scenario) *run {
	var id [4]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	r := &run{
		opt:      opt,
		target:   target,
		sc:       sc,
		name:     opt.Scenario,
		runID:    "b" + hex.EncodeToString(id[:]),
		epoch:    time.Now(),
		yBase:    mrand.Uint32(),
		lat:      newLatencyRecorder(2 * runtime.GOMAXPROCS(0)),
		connHist: newHistogram(),
		stopSend: make(chan struct{}),
	}
	r.winStart.Store(math.MaxInt64)
	r.winEnd.Store(math.MaxInt64)
	r.rooms = make([][]*client, opt.Rooms)
	for i := range opt.totalConns {
		room := i / opt.Clients
		c := &client{
			idx:    i,
			room:   room,
			seat:   i % opt.Clients,
			userID: r.runID + "-" + strconv.Itoa(i),
			batch:  latencyBatch{key: i},
			renc:   livelyEncoder{enc: opt.enc},
			senc:   livelyEncoder{enc: opt.enc},
			ytw:    yTextWriter{client: uint64(r.yBase + uint32(i))},
		}
		if opt.RateMax {
			c.credit = make(chan struct{}, 1)
		}
		r.clients = append(r.clients, c)
		r.rooms[room] = append(r.rooms[room], c)
	}
	return r
}

// now is the current stamp: µs since the run's epoch (monotonic; every
// client lives in this process, so senders and receivers share the clock).
func (r *run) now() int64 { return time.Since(r.epoch).Microseconds() }

func (r *run) inWindow(stamp int64) bool {
	return stamp >= r.winStart.Load() && stamp < r.winEnd.Load()
}

// deliver records a message received by c that carries its send stamp;
// from is its sender when known (nil otherwise).
func (r *run) deliver(c, from *client, stamp int64) {
	if from != nil && from.credit != nil && from.inflight.Add(-1) == from.creditAt.Load() {
		select {
		case from.credit <- struct{}{}:
		default:
		}
	}
	if !r.inWindow(stamp) {
		return
	}
	c.delivered.Add(1)
	c.batch.add(r.lat, r.now()-stamp)
}

// clientAt returns client i, or nil for an index out of range.
func (r *run) clientAt(i int64) *client {
	if i < 0 || i >= int64(len(r.clients)) {
		return nil
	}
	return r.clients[i]
}

// roomName is the room (or Yjs document) id for room index i.
func (r *run) roomName(i int) string { return r.runID + "-" + strconv.Itoa(i) }

// livelyPath is the /rooms path and query of c.
func (r *run) livelyPath(c *client) string {
	p := "/rooms/" + r.roomName(c.room) + "?userId=" + c.userID + "&displayName=bench+" + strconv.Itoa(c.idx)
	if r.opt.enc == encodingMsgpack {
		p += "&encoding=msgpack"
	}
	return p
}

// fail records c's first error (unless we are shutting down) and drops c.
func (r *run) fail(c *client, prefix string, err error) {
	c.alive.Store(false)
	if r.closing.Load() {
		c.cc.conn.Close()
		return
	}
	if !c.failed.Swap(true) {
		r.errs.add(prefix + errorKind(err))
	}
	c.cc.conn.Close()
}

// connectAll dials every client with bounded concurrency within the connect
// phase deadline and starts each connected client's reader.
func (r *run) connectAll(ctx context.Context) {
	r.phase.Store(phaseConnecting)
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, r.opt.ConnectTimeout)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.opt.ConnectConcurrency, len(r.clients)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(r.clients)); i = next.Add(1) - 1 {
				r.connectOne(cctx, r.clients[i])
			}
		}()
	}
	wg.Wait()
	r.connectTime = time.Since(start)
}

func (r *run) connectOne(ctx context.Context, c *client) {
	r.attempted.Add(1)
	if err := ctx.Err(); err != nil {
		r.failed.Add(1)
		r.errs.add("connect: connect phase " + errorKind(err))
		return
	}
	t := time.Now()
	cc, relay, err := dialClient(ctx, r.target+r.sc.path(r, c), dialOptions{
		timeout:      dialTimeout,
		writeTimeout: writeTimeout,
		maxMessage:   r.opt.MaxMessage,
	})
	if err != nil {
		r.failed.Add(1)
		r.errs.add("connect: " + errorKind(err))
		return
	}
	r.connMu.Lock()
	_ = r.connHist.RecordValue(min(max(time.Since(t).Microseconds(), histMin), histMax)) // clamped
	r.connMu.Unlock()
	if relay {
		r.relay.Store(true)
	}
	c.cc = cc
	c.alive.Store(true)
	r.connected.Add(1)
	r.readers.Add(1)
	go r.readLoop(c)
}

// readLoop reads c's messages until the connection ends.
func (r *run) readLoop(c *client) {
	defer r.readers.Done()
	defer c.batch.flush(r.lat)
	var sink pieceSink
	if st, ok := r.sc.(streamingScenario); ok {
		sink = st.sink(r, c)
	}
	for {
		op, msg, err := c.cc.readNextInto(sink)
		if err != nil {
			r.fail(c, "", err)
			return
		}
		c.recv.Add(1)
		r.sc.onMessage(r, c, op, msg)
	}
}

// startSenders fixes the measurement window (warmup from now, then the
// duration) and starts one sender per connected client.
func (r *run) startSenders(period time.Duration, heartbeat bool) {
	members := make([]int, len(r.rooms))
	for i, room := range r.rooms {
		for _, c := range room {
			if c.alive.Load() {
				members[i]++
			}
		}
	}
	r.sendMembers.Store(&members)
	for _, c := range r.clients {
		c.perSend = int64(r.sc.expectedPerSend(members[c.room]))
		c.creditAt.Store(int64(r.opt.InFlight-1) * c.perSend)
	}
	t0 := r.now()
	r.winStart.Store(t0 + r.opt.Warmup.Microseconds())
	r.winEnd.Store(t0 + (r.opt.Warmup + r.opt.Duration).Microseconds())
	for _, c := range r.clients {
		if !c.alive.Load() {
			continue
		}
		r.senders.Add(1)
		go r.sendLoop(c, period, heartbeat)
	}
}

// sendLoop sends c's periodic messages until the window ends or sending
// stops. period 0 means as fast as possible (with --rate max: as fast as
// the credits of awaitCredit allow).
func (r *run) sendLoop(c *client, period time.Duration, heartbeat bool) {
	defer r.senders.Done()
	var tick <-chan time.Time
	if period > 0 {
		// A random phase keeps clients from sending in lockstep.
		t := time.NewTimer(mrand.N(period))
		select {
		case <-r.stopSend:
			t.Stop()
			return
		case <-t.C:
		}
		tk := time.NewTicker(period)
		defer tk.Stop()
		tick = tk.C
	}
	var creditTimer *time.Timer
	flow := c.credit != nil && c.perSend > 0
	if flow {
		creditTimer = time.NewTimer(creditTimeout)
		defer creditTimer.Stop()
	}
	lastHB := time.Now()
	for first := true; ; first = false {
		if !first && tick != nil {
			select {
			case <-r.stopSend:
				return
			case <-tick:
			}
		} else {
			select {
			case <-r.stopSend:
				return
			default:
			}
		}
		if !c.alive.Load() {
			return
		}
		if heartbeat && time.Since(lastHB) >= r.opt.Heartbeat {
			lastHB = time.Now()
			if err := c.cc.write(r.opt.enc.opcode(), c.senc.heartbeat()); err != nil {
				r.fail(c, "send: ", err)
				return
			}
		}
		if flow && !r.awaitCredit(c, creditTimer) {
			return
		}
		stamp := r.now()
		if stamp >= r.winEnd.Load() {
			return
		}
		c.inflight.Add(c.perSend)
		ok, err := r.sc.send(r, c, stamp)
		if err != nil {
			r.fail(c, "send: ", err)
			return
		}
		if !ok {
			// Nothing to send yet (storage not loaded): undo the credit and,
			// without a ticker, pause instead of spinning.
			c.inflight.Add(-c.perSend)
			if tick == nil && !sleepStop(r.stopSend, notReadyPause) {
				return
			}
			continue
		}
		c.sentTotal.Add(1)
		if r.inWindow(stamp) {
			c.sent.Add(1)
		}
	}
}

// awaitCredit blocks a --rate max sender while InFlight of its messages
// are still on their way. Deliveries that never come (lost messages) would
// stall it for good, so after creditTimeout it stops waiting for them.
func (r *run) awaitCredit(c *client, t *time.Timer) bool {
	limit := c.creditAt.Load()
	if c.inflight.Load() <= limit {
		return true
	}
	t.Reset(creditTimeout)
	for c.inflight.Load() > limit {
		select {
		case <-r.stopSend:
			return false
		case <-c.credit:
		case <-t.C:
			c.inflight.Store(0)
			return true
		}
	}
	return true
}

// sleepStop sleeps for d unless stop closes first; it reports whether it
// slept.
func sleepStop(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-stop:
		return false
	case <-t.C:
		return true
	}
}

// stopSenders tells every sender to stop.
func (r *run) stopSenders() {
	select {
	case <-r.stopSend:
	default:
		close(r.stopSend)
	}
}

// expected is the number of deliveries the measured sends should produce.
func (r *run) expected() int64 {
	sm := r.sendMembers.Load()
	if sm == nil {
		return 0
	}
	var n int64
	for i, room := range r.rooms {
		per := int64(r.sc.expectedPerSend((*sm)[i]))
		for _, c := range room {
			n += c.sent.Load() * per
		}
	}
	return n
}

func (r *run) delivered() int64 {
	var n int64
	for _, c := range r.clients {
		n += c.delivered.Load()
	}
	return n
}

// drain waits, after the window, until every expected delivery arrived or
// the drain time is up.
func (r *run) drain(ctx context.Context) {
	r.phase.Store(phaseDraining)
	deadline := time.NewTimer(r.opt.Drain)
	defer deadline.Stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for r.delivered() < r.expected() {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-poll.C:
		}
	}
}

// closeAll sends every connection a close frame, waits briefly for the
// server's replies, then closes whatever is left and waits for the readers.
func (r *run) closeAll() {
	r.phase.Store(phaseClosing)
	r.closing.Store(true)
	r.stopSenders()
	r.senders.Wait()
	parallel(r.clients, 64, func(c *client) {
		if c.cc != nil && c.alive.Load() {
			_ = c.cc.sendClose(closeWriteTimeout) // best effort: closed below anyway
		}
	})
	done := make(chan struct{})
	go func() {
		r.readers.Wait()
		close(done)
	}()
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		for _, c := range r.clients {
			if c.cc != nil {
				c.cc.conn.Close()
			}
		}
		<-done
	}
	r.phase.Store(phaseDone)
}

// parallel runs fn over items with n workers and waits for them.
func parallel[T any](items []T, n int, fn func(T)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(items)); i = next.Add(1) - 1 {
				fn(items[i])
			}
		}()
	}
	wg.Wait()
}

// sleepUntil waits until the stamp t (µs since epoch) or ctx is done.
func (r *run) sleepUntil(ctx context.Context, t int64) bool {
	d := time.Duration(t-r.now()) * time.Microsecond
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}
