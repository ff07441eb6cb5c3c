package actors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/transport"
)

// benchWait bounds every wait of the benchmarks' setup and teardown; nothing
// is timed by it.
const benchWait = 30 * time.Second

// benchCursorJSON is a typical cursor:update as a browser client sends it.
const benchCursorJSON = `{"type":"cursor:update","x":512.5,"y":384.25,"viewportPos":{"x":0,"y":120},"viewportScale":1,"cursorType":"pointer"}`

// benchWindow is how many inbound messages the actor benchmark sends ahead of
// the room: it waits for the room to have handled the previous window (a
// request queued behind it) before it sends the next, so the room is always
// busy and its mailbox stays bounded.
const benchWindow = 256

// BenchmarkRoom_CursorFanout measures what a room spends relaying one
// inbound cursor:update (already decoded and validated by the sender's
// reader, as codec.DecodeJSON does in sink.OnMessage) to the other n-1
// members: the membership lookup, the metrics, encoding the relay once
// (codec.AppendCursor, one shared frame) and EnqueueTagged on every other
// member's transport.Conn. Each member is a real Conn on a loopback socket
// whose peer drains it, so the hub's writers run (and compete for the CPU)
// as in production. Senders rotate through the members.
//
// path=actor drives the real room actor, spawned by the registry through
// System.Admit, with members joined through admission.Attach: ns/op is the
// room's throughput per inbound message, mailbox and dispatch included.
// path=handler calls handleInbound directly on a room struct built as
// newRoomProps builds it, with members as handleJoin and the first presence
// flush leave them: the room's own work without the actor plumbing.
//
// ns/delivery is ns/op divided by the n-1 frames each message queues.
func BenchmarkRoom_CursorFanout(b *testing.B) {
	for _, n := range []int{5, 200, 1000} {
		b.Run(fmt.Sprintf("members=%d/path=actor", n), func(b *testing.B) { benchCursorActor(b, n) })
		b.Run(fmt.Sprintf("members=%d/path=handler", n), func(b *testing.B) { benchCursorHandler(b, n) })
	}
}

func benchCursorActor(b *testing.B, n int) {
	checkGoroutines(b)
	sys := NewSystem(Config{
		Metrics: NewMetrics(nil),
		// No sweep during the run: it would mark the silent members offline
		// and change the presence list.
		Rooms: RoomConfig{HeartbeatInterval: time.Hour},
	})
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), benchWait)
		defer cancel()
		if err := sys.Shutdown(ctx); err != nil {
			b.Errorf("system shutdown: %v", err)
		}
	})
	bn := newBenchNet(b)

	// Member 0 watches its frames for the first presence list holding all
	// n members: that is a full broadcast after the last join, after which
	// every member is past its pending state and no presence flush is due
	// (nobody's presence changes during the run).
	settled := make(chan struct{})
	watch := func(op byte, p []byte) bool {
		if op == byte(transport.OpText) && bytes.HasPrefix(p, codec.AppendPresenceHeader(nil)) &&
			bytes.Count(p, []byte(`{"userId":`)) == n {
			close(settled)
			return true
		}
		return false
	}
	var roomPID *actor.PID
	conns := make([]*transport.Conn, n)
	for i := range n {
		a, err := sys.Admit("bench", benchIdentity(i), false)
		if err != nil {
			b.Fatal(err)
		}
		adm := a.(*admission)
		roomPID = adm.room
		w := watch
		if i > 0 {
			w = nil
		}
		conns[i] = bn.connect(b, func(c *transport.Conn) transport.FrameSink { return adm.Attach(c, false) }, w)
	}
	select {
	case <-settled:
	case <-time.After(benchWait):
		b.Fatal("the room never broadcast the full presence list")
	}

	ins := benchInbounds(b, conns)
	barrier := func() *actor.Future {
		return sys.root.RequestFuture(roomPID, &SnapshotRequest{}, benchWait)
	}
	await := func(f *actor.Future) {
		if _, err := f.Result(); err != nil {
			b.Fatalf("room barrier: %v", err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var prev *actor.Future
	for i := 0; i < b.N; i++ {
		sys.root.Send(roomPID, ins[i%n])
		if (i+1)%benchWindow == 0 {
			f := barrier()
			if prev != nil {
				await(prev)
			}
			prev = f
		}
	}
	if prev != nil {
		await(prev)
	}
	await(barrier())
	b.StopTimer()
	reportDeliveries(b, n)
	checkOpen(b, conns)
}

func benchCursorHandler(b *testing.B, n int) {
	checkGoroutines(b)
	// The system only supplies the defaulted Config; its registry never
	// hears of this room.
	sys := NewSystem(Config{Metrics: NewMetrics(nil)})
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), benchWait)
		defer cancel()
		if err := sys.Shutdown(ctx); err != nil {
			b.Errorf("system shutdown: %v", err)
		}
	})
	bn := newBenchNet(b)

	// As newRoomProps builds it.
	r := &room{
		id: "bench", cfg: sys.cfg, rc: sys.cfg.Rooms, metrics: sys.cfg.Metrics, registry: sys.registry,
		logger:  sys.cfg.Logger.With("room", "bench"),
		members: map[uint64]*member{},
	}
	now := r.now().UnixMilli()
	conns := make([]*transport.Conn, n)
	for i := range n {
		c := bn.connect(b, func(*transport.Conn) transport.FrameSink { return nopSink{} }, nil)
		conns[i] = c
		// As handleJoin adds it and the first presence flush releases it.
		m := newMember(&join{conn: c, identity: benchIdentity(i)}, now)
		m.pending = false
		r.members[m.connID] = m
		r.order = append(r.order, m)
	}

	ins := benchInbounds(b, conns)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// The cursor path of handleInbound never touches the actor
		// context (only presence, storage, Yjs and custom messages do).
		r.handleInbound(nil, ins[i%n])
	}
	b.StopTimer()
	reportDeliveries(b, n)
	checkOpen(b, conns)
}

// benchInbounds is one decoded cursor:update per member, as its sink sends
// them. Each is sent many times: the room only reads its messages.
func benchInbounds(b *testing.B, conns []*transport.Conn) []*inbound {
	msg, err := codec.DecodeJSON([]byte(benchCursorJSON))
	if err != nil {
		b.Fatal(err)
	}
	ins := make([]*inbound, len(conns))
	for i, c := range conns {
		ins[i] = &inbound{connID: c.ID(), msg: msg}
	}
	return ins
}

func reportDeliveries(b *testing.B, n int) {
	if n > 1 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n-1)), "ns/delivery")
	}
}

// checkOpen fails the benchmark if any member was closed (a slow consumer
// would have turned its deliveries into cheap ErrClosed returns).
func checkOpen(b *testing.B, conns []*transport.Conn) {
	for _, c := range conns {
		if r := c.Reason(); r != transport.ReasonNone {
			b.Fatalf("connection %d closed during the run: %v", c.ID(), r)
		}
	}
}

func benchIdentity(i int) Identity {
	return Identity{UserID: fmt.Sprintf("bench-user-%04d", i), DisplayName: fmt.Sprintf("Bench User %d", i)}
}

// BenchmarkRoom_PresenceList measures presenceList, the encoding of a
// room's whole presence message from the members' cached entries, for rooms
// of 200 and 1000 members: cache=warm with every entry cached, cache=oneChanged
// with one member's entry dropped per list (a presence:update or heartbeat
// between two flushes), cache=cold with every entry dropped (everyone
// changed, as after a sweep marks a whole room offline). Dropping the
// entries is inside the timed loop; it is n pointer writes at most.
func BenchmarkRoom_PresenceList(b *testing.B) {
	for _, n := range []int{200, 1000} {
		for _, mode := range []string{"warm", "oneChanged", "cold"} {
			b.Run(fmt.Sprintf("members=%d/cache=%s", n, mode), func(b *testing.B) {
				r := &room{order: benchMembers(n)}
				size := len(r.presenceList().json) // warms every entry
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					switch mode {
					case "oneChanged":
						r.order[i%n].entry = nil
					case "cold":
						for _, m := range r.order {
							m.entry = nil
						}
					}
					if o := r.presenceList(); len(o.json) != size {
						b.Fatalf("list of %d bytes, want %d", len(o.json), size)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/member")
			})
		}
	}
}

// BenchmarkRoom_PresenceFrame measures what a presence flush spends before
// its first EnqueueLatest: the list from a warm cache, framed once for the
// room's JSON members (enc=json) or transcoded to MessagePack and framed for
// its MessagePack members (enc=msgpack).
func BenchmarkRoom_PresenceFrame(b *testing.B) {
	for _, n := range []int{200, 1000} {
		for _, enc := range []string{"json", "msgpack"} {
			b.Run(fmt.Sprintf("members=%d/enc=%s", n, enc), func(b *testing.B) {
				r := &room{order: benchMembers(n)}
				mp := enc == "msgpack"
				b.SetBytes(int64(len(r.presenceList().frame(mp))))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if r.presenceList().frame(mp) == nil {
						b.Fatal("no frame")
					}
				}
			})
		}
	}
}

// benchMembers is n joined members with what a typical client sets through
// presence:update: a location for all, metadata for half of them. They have
// no connection: presence encoding does not use it.
func benchMembers(n int) []*member {
	now := time.Now().UnixMilli()
	ms := make([]*member, n)
	for i := range ms {
		id := benchIdentity(i)
		m := &member{
			connID: uint64(i + 1), userID: id.UserID, displayName: id.DisplayName, color: colorFor(id.UserID),
			connectedAt: now - int64(i)*1000, onlineStatus: jsonOnline, isIdle: jsonFalse,
			lastActiveAt: now, lastHeartbeat: now,
			location: fmt.Appendf(nil, `{"page":"/board/%d","section":"canvas"}`, i%17),
		}
		if i%2 == 0 {
			m.metadata = fmt.Appendf(nil, `{"avatar":"https://cdn.example.com/avatars/%d.png","role":"editor"}`, i)
		}
		ms[i] = m
	}
	return ms
}

// nopSink drops every inbound message.
type nopSink struct{}

func (nopSink) OnMessage(*transport.Conn, transport.OpCode, []byte) {}
func (nopSink) OnClose(*transport.Conn, transport.CloseReason)      {}

// benchNet is a hub serving loopback connections whose client ends are
// drained by goroutines of its own.
type benchNet struct {
	hub     *transport.Hub
	ln      net.Listener
	clients []net.Conn
	drains  sync.WaitGroup
}

// newBenchNet starts a hub and a loopback listener. Its cleanup closes the
// client ends (so that every reader ends at once, with no close handshake
// to wait for), shuts the hub down and waits for the drains.
func newBenchNet(b *testing.B) *benchNet {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bn := &benchNet{hub: transport.NewHub(transport.Options{}, transport.NewMetrics(nil)), ln: ln}
	b.Cleanup(func() {
		_ = ln.Close() // nothing dials it any more
		for _, cc := range bn.clients {
			_ = cc.Close() // the drain ends with the error
		}
		ctx, cancel := context.WithTimeout(context.Background(), benchWait)
		defer cancel()
		if err := bn.hub.Shutdown(ctx, transport.ReasonShutdown); err != nil {
			b.Errorf("hub shutdown: %v", err)
		}
		bn.drains.Wait()
	})
	return bn
}

// connect dials one connection and serves its server end with the sink
// attach returns (called before anything is read). The client end is
// drained: its frames are first passed to watch (nil: none) until watch
// returns true, then discarded unparsed.
func (bn *benchNet) connect(b *testing.B, attach func(c *transport.Conn) transport.FrameSink, watch func(op byte, p []byte) bool) *transport.Conn {
	cc, err := net.Dial("tcp", bn.ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	bn.clients = append(bn.clients, cc)
	nc, err := bn.ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	c := bn.hub.NewConn(nc, nil, false, false)
	if c == nil {
		_ = nc.Close()
		b.Fatal("hub shut down")
	}
	bn.hub.Serve(c, attach(c))
	bn.drains.Add(1)
	go func() { // ends when cleanup closes cc (or the server drops it)
		defer bn.drains.Done()
		br := bufio.NewReaderSize(cc, 64<<10)
		for watch != nil {
			op, p, err := readServerFrame(br)
			if err != nil || watch(op, p) {
				break
			}
		}
		_, _ = io.Copy(io.Discard, br) // ends with the socket's error, nothing to report
	}()
	return c
}

// readServerFrame reads one unmasked server frame.
func readServerFrame(br *bufio.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	if h[1]&0x80 != 0 {
		return 0, nil, errors.New("masked server frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n > 64<<20 {
		return 0, nil, fmt.Errorf("frame of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		return 0, nil, err
	}
	return h[0] & 0x0f, p, nil
}

// checkGoroutines registers a cleanup, to run after every other one, that
// fails the benchmark if goroutines started since remain. It polls: the
// last ones (a finished actor's dispatcher, a reader's exit) end
// asynchronously.
func checkGoroutines(b *testing.B) {
	before := runtime.NumGoroutine()
	b.Cleanup(func() {
		deadline := time.Now().Add(benchWait)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				b.Errorf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(time.Millisecond) // polling for the leak check, not synchronisation
		}
	})
}
