package actors

import (
	"bytes"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/transport"
)

// room is the actor that alone owns one room's state.
type room struct {
	id       string
	cfg      *Config
	rc       RoomConfig
	logger   *slog.Logger
	metrics  *Metrics
	registry *actor.PID
	self     *actor.PID
	system   *actor.ActorSystem

	members  map[uint64]*member
	order    []*member // join order: the presence list order
	reserved int
	admits   uint64 // admitRoom messages seen

	presenceDirty  bool
	flushScheduled bool
	lastFlush      time.Time // last flush of any kind
	lastFull       time.Time // last broadcast to every member
	flushTimer     *time.Timer

	state liveState

	doc            *crdt.Doc
	storageState   int
	storageWaiting []*member // joined while InitialStorage runs
	snapshot       *outMsg   // cached storage:init, nil when stale
	loadTimer      *time.Timer

	persister            *actor.PID // spawned by the first change
	persistFrom          uint64     // the store's last sequence number, for the persister
	persistOn            bool       // loaded with a store and not stopped: changes are persisted
	persistFold          bool       // loaded from a change log: the final snapshot folds it
	changesSinceSnapshot int

	ydoc        *yjs.Doc
	aware       map[uint64]*awarenessState
	awareTimer  *time.Timer
	yws         []*member // y-websocket connections (not in order: no presence)
	ywsWaiting  []*member // joined while the room loads
	lastYws     bool      // the last connection to leave was a y-websocket one
	yclient     uint64    // the room's own Yjs client id (REST writes)
	pendingTxns []pendingTxn

	hooks    *actor.PID
	handlers map[string]*actor.PID

	// failed is set when the room failed (failRoom): it answers what is
	// queued to it with errors until the registry stops it.
	failed bool
}

func newRoomProps(id string, cfg *Config, registry *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &room{
			id: id, cfg: cfg, rc: cfg.Rooms, metrics: cfg.Metrics, registry: registry,
			logger:  cfg.Logger.With("room", id),
			members: map[uint64]*member{},
		}
	})
}

func (r *room) now() time.Time { return r.cfg.Now() }

// Receive only dispatches. A panic in a handler is recovered here so that it
// never reaches the supervisor (which would restart the room empty).
func (r *room) Receive(ctx actor.Context) {
	defer func() {
		if v := recover(); v != nil {
			r.recoverPanic(ctx, v)
		}
	}()
	if r.failed {
		switch ctx.Message().(type) {
		case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
		default:
			r.receiveFailed(ctx)
			return
		}
	}
	switch m := ctx.Message().(type) {
	case *inbound:
		r.handleInbound(ctx, m)
	case *presenceFlush:
		r.handlePresenceFlush(ctx)
	case *admitRoom:
		r.handleAdmit(ctx)
	case *cancelAdmit:
		r.handleCancelAdmit(ctx)
	case *join:
		r.handleJoin(ctx, m)
	case *leave:
		r.handleLeave(ctx, m)
	case *sweep:
		r.handleSweep(ctx, m)
	case *handlerOut:
		r.handleHandlerOut(m)
	case *BroadcastRequest:
		r.handleBroadcastRequest(ctx, m)
	case *SetLiveStateRequest:
		r.handleSetLiveState(ctx, m)
	case *UsersRequest:
		r.handleUsers(ctx)
	case *MutateStorageRequest:
		r.handleMutateStorage(ctx, m)
	case *SnapshotRequest:
		r.handleSnapshot(ctx)
	case *storageLoaded:
		r.handleStorageLoaded(ctx, m)
	case *storageLoadTimeout:
		r.handleStorageLoadTimeout(ctx)
	case *ywsInbound:
		r.handleYwsInbound(ctx, m)
	case *awarenessExpire:
		r.handleAwarenessExpire(ctx)
	case *YjsTxnRequest:
		r.handleYjsTxn(ctx, m)
	case *actor.Started:
		r.self, r.system = ctx.Self(), ctx.ActorSystem()
		r.metrics.roomsAdd(1)
		r.startStorageLoad(ctx)
	case *actor.Stopping:
		r.handleStopping(ctx)
	case *actor.Stopped, *actor.Restarting:
	default:
		r.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		r.metrics.unexpectedMsg()
	}
}

func (r *room) recoverPanic(ctx actor.Context, v any) {
	r.metrics.panic()
	r.logger.Error("room handler panicked; members resync", "err", fmt.Sprint(v), "stack", string(debug.Stack()))
	// Members may hold a view the panic left half-applied: close them with a
	// retryable code so they reconnect and get a fresh snapshot. The
	// document and live state stay.
	for _, m := range r.allMembers() {
		r.removeMember(ctx, m, transport.ReasonInternal)
	}
	r.afterMembershipChange(ctx)
}

// allMembers is a copy of every member, Lively and y-websocket.
func (r *room) allMembers() []*member {
	all := make([]*member, 0, len(r.members))
	all = append(all, r.order...)
	return append(all, r.yws...)
}

// --- admission and membership ---

func (r *room) handleAdmit(ctx actor.Context) {
	r.admits++
	if max := r.rc.MaxConnections; max > 0 && len(r.members)+r.reserved >= max {
		ctx.Respond(&admitResult{err: ErrRoomFull})
		return
	}
	r.reserved++
	ctx.Respond(&admitResult{room: ctx.Self()})
}

func (r *room) handleCancelAdmit(ctx actor.Context) {
	if r.reserved > 0 {
		r.reserved--
	}
	r.afterMembershipChange(ctx)
}

func (r *room) handleJoin(ctx actor.Context, j *join) {
	if r.reserved > 0 {
		r.reserved--
	}
	now := r.now().UnixMilli()
	m := newMember(j, now)
	if m.yws {
		r.members[m.connID] = m
		r.yws = append(r.yws, m)
		if r.storageState == storageLoading {
			r.ywsWaiting = append(r.ywsWaiting, m)
		} else {
			r.sendYwsInitial(m)
		}
		r.hook(ctx, &hookCall{kind: hookJoin, user: m.user()})
		return
	}
	// B.1.5 step 1: evict offline connections of the same user.
	for _, old := range append([]*member(nil), r.order...) {
		if old.userID == m.userID && old.offline() {
			r.removeMember(ctx, old, transport.ReasonEvicted)
		}
	}
	r.members[m.connID] = m
	r.order = append(r.order, m)
	r.presenceChanged(ctx)
	r.hook(ctx, &hookCall{kind: hookJoin, user: m.user()})
}

func (r *room) handleLeave(ctx actor.Context, l *leave) {
	m, ok := r.members[l.connID]
	if !ok {
		return
	}
	r.removeMember(ctx, m, l.reason)
	r.afterMembershipChange(ctx)
}

// removeMember drops a member, closes its connection if it is still open,
// and fires OnLeave exactly once.
func (r *room) removeMember(ctx actor.Context, m *member, reason transport.CloseReason) {
	if _, ok := r.members[m.connID]; !ok {
		return
	}
	delete(r.members, m.connID)
	ctx.Send(m.session, &kick{reason: reason})
	r.hook(ctx, &hookCall{kind: hookLeave, user: m.user()})
	r.lastYws = m.yws
	if m.yws {
		if i := slices.Index(r.yws, m); i >= 0 {
			r.yws = slices.Delete(r.yws, i, i+1)
		}
		r.leaveAwareness(m)
		return
	}
	if i := slices.Index(r.order, m); i >= 0 {
		r.order = slices.Delete(r.order, i, i+1) // zeroes the vacated slot
	}
	r.presenceChanged(ctx)
}

func (r *room) afterMembershipChange(ctx actor.Context) {
	if len(r.members) == 0 && r.reserved == 0 {
		ctx.Send(r.registry, &roomEmpty{roomID: r.id, room: ctx.Self(), admits: r.admits, docOnly: r.lastYws})
	}
}

func (r *room) handleStopping(ctx actor.Context) {
	if r.flushTimer != nil {
		r.flushTimer.Stop()
	}
	if r.loadTimer != nil {
		r.loadTimer.Stop()
	}
	if r.awareTimer != nil {
		r.awareTimer.Stop()
	}
	r.stopPersister(ctx)
	for _, m := range r.allMembers() {
		ctx.Send(m.session, &kick{reason: transport.ReasonShutdown})
	}
	r.metrics.roomsAdd(-1)
}

// --- presence ---

// joinInterval is the gap between two presence flushes: joiners wait at
// most this long for their first list.
func (r *room) joinInterval() time.Duration { return r.rc.PresenceInterval }

// fullInterval is the gap between two presence broadcasts to established
// members. It grows with the room (250 µs per member): a list costs
// O(members) bytes for each of O(members) recipients, so a join storm of N
// costs O(N) lists per member, not O(N²) messages.
func (r *room) fullInterval() time.Duration {
	return r.rc.PresenceInterval + time.Duration(len(r.members))*250*time.Microsecond
}

// presenceChanged schedules a coalesced presence flush: at once (after the
// messages already queued in the mailbox) if the last flush is older than
// the join interval, else when it is over.
func (r *room) presenceChanged(ctx actor.Context) {
	r.presenceDirty = true
	r.scheduleFlush(ctx, r.lastFlush.Add(r.joinInterval()))
}

func (r *room) scheduleFlush(ctx actor.Context, at time.Time) {
	if r.flushScheduled {
		return
	}
	r.flushScheduled = true
	wait := time.Until(at)
	if wait <= 0 {
		ctx.Send(ctx.Self(), &presenceFlush{})
		return
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	r.flushTimer = time.AfterFunc(wait, func() { root.Send(self, &presenceFlush{}) })
}

// handlePresenceFlush sends the current list to members that joined since
// the last flush (followed by their initial state), and to everyone else
// once the full interval has passed since the last full broadcast.
func (r *room) handlePresenceFlush(ctx actor.Context) {
	r.flushScheduled = false
	now := time.Now()
	r.lastFlush = now
	full := r.presenceDirty && !now.Before(r.lastFull.Add(r.fullInterval()))
	joiners := 0
	for _, m := range r.order {
		if m.pending {
			joiners++
		}
	}
	if !full && joiners == 0 {
		if r.presenceDirty {
			r.scheduleFlush(ctx, r.lastFull.Add(r.fullInterval()))
		}
		return
	}
	o := r.presenceList()
	sent := 0
	for _, m := range r.order {
		if m.pending {
			m.pending = false
			r.send(m, o, "presence")
			r.sendInitial(ctx, m)
			continue
		}
		if full {
			if f := o.frame(m.binary); f != nil {
				_ = m.conn.EnqueueLatest(f) // a slow consumer is closed by its outbox
			}
			sent++
		}
	}
	r.metrics.flush()
	r.metrics.out("presence", sent)
	if full {
		r.presenceDirty, r.lastFull = false, now
	} else {
		r.scheduleFlush(ctx, r.lastFull.Add(r.fullInterval()))
	}
}

// presenceList encodes the room's presence message from cached entries.
func (r *room) presenceList() *outMsg {
	size := 32
	for _, m := range r.order {
		size += len(m.encodedEntry()) + 1
	}
	buf := codec.AppendPresenceHeader(make([]byte, 0, size))
	for i, m := range r.order {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, m.encodedEntry()...)
	}
	return newOut(codec.AppendPresenceFooter(buf))
}

// sendInitial sends a joiner the room's state after its first presence list
// (B.1.5 steps 4–6).
func (r *room) sendInitial(ctx actor.Context, m *member) {
	r.sendStorageInit(m)
	if !r.state.empty() {
		r.send(m, newOut(codec.AppendStateInit(nil, r.state.list())), "state:init")
	}
	if r.storageState != storageLoading {
		r.sendYjsInitial(m)
	}
}

// --- sending ---

func (r *room) send(m *member, o *outMsg, kind string) {
	if f := o.frame(m.binary); f != nil {
		_ = m.conn.Enqueue(f) // a slow consumer is closed by its outbox; nothing else to do
	}
	r.metrics.out(kind, 1)
}

// broadcast queues o to every joined member except the one with connection
// id exclude (0: nobody excluded).
func (r *room) broadcast(o *outMsg, kind string, exclude uint64) {
	r.fanout(o, kind, exclude, nil, 0)
}

// broadcastCursor is broadcast for cursor updates, tagged with the sender:
// a lagging connection keeps only each sender's latest cursor (PROTOCOL.md
// A.2.8); storage, state and custom messages are never coalesced.
func (r *room) broadcastCursor(o *outMsg, sender uint64) {
	r.fanout(o, "cursor:update", sender, nil, sender)
}

// fanout queues o to every joined Lively member except exclude and the
// connections in excludeAll. A non-zero tag queues with EnqueueTagged.
func (r *room) fanout(o *outMsg, kind string, exclude uint64, excludeAll []uint64, tag uint64) {
	n := 0
	for _, m := range r.order {
		if m.pending || m.connID == exclude || containsID(excludeAll, m.connID) {
			continue
		}
		if f := o.frame(m.binary); f != nil {
			if tag != 0 {
				_ = m.conn.EnqueueTagged(f, tag) // see send
			} else {
				_ = m.conn.Enqueue(f) // see send
			}
		}
		n++
	}
	r.metrics.out(kind, n)
}

// --- inbound protocol messages ---

func (r *room) handleInbound(ctx actor.Context, in *inbound) {
	m, ok := r.members[in.connID]
	if !ok {
		return
	}
	msg := in.msg
	r.metrics.in(msg.Kind.String())
	switch msg.Kind {
	case codec.KindHeartbeat:
		r.handleHeartbeat(ctx, m)
	case codec.KindPresenceUpdate:
		r.handlePresenceUpdate(ctx, m, &msg.Presence)
	case codec.KindCursorUpdate:
		o := newOut(codec.AppendCursor(make([]byte, 0, 192), m.userID, m.displayName, m.color, &msg.Cursor, r.now().UnixMilli()))
		r.broadcastCursor(o, m.connID)
	case codec.KindStateUpdate:
		if e := r.state.apply(&msg.State, m.userID); e != nil {
			r.broadcast(newOut(codec.AppendStateUpdate(nil, e)), "state:update", 0)
		}
	case codec.KindStorageInit, codec.KindStorageOps:
		r.handleStorage(ctx, m, msg)
	case codec.KindYjsUpdate, codec.KindYjsSyncStep1, codec.KindYjsSyncStep2, codec.KindYjsAwareness:
		r.handleLivelyYjs(ctx, m, msg)
	default:
		r.handleCustom(ctx, m, msg)
	}
}

func (r *room) handleHeartbeat(ctx actor.Context, m *member) {
	now := r.now().UnixMilli()
	m.lastHeartbeat, m.lastActiveAt = now, now
	m.entry = nil
	if m.offlineSince != 0 && m.offline() {
		// A.2.3: a heartbeat revives a connection the sweep marked offline.
		m.onlineStatus, m.offlineSince = jsonOnline, 0
		r.presenceChanged(ctx)
	}
}

func (r *room) handlePresenceUpdate(ctx actor.Context, m *member, p *codec.PresenceUpdate) {
	if p.OnlineStatus != nil {
		m.onlineStatus = p.OnlineStatus
		if !m.offline() {
			m.offlineSince = 0
		}
	}
	if p.IsIdle != nil {
		m.isIdle = p.IsIdle
	}
	if p.Location != nil {
		m.location = p.Location
	}
	if p.Metadata != nil {
		m.metadata = p.Metadata
	}
	m.lastActiveAt = r.now().UnixMilli()
	m.entry = nil
	r.presenceChanged(ctx)
}

func (r *room) handleCustom(ctx actor.Context, m *member, msg *codec.Inbound) {
	if r.cfg.Hooks.OnMessage != nil {
		r.hook(ctx, &hookCall{kind: hookMessage, sender: m.userID, msg: msg.Raw})
	}
	if f, ok := r.cfg.Handlers[msg.Type]; ok {
		pid := r.handlers[msg.Type]
		if pid == nil {
			pid = ctx.Spawn(newHandlerProps(r.id, ctx.Self(), f, r.logger, r.metrics))
			if r.handlers == nil {
				r.handlers = map[string]*actor.PID{}
			}
			r.handlers[msg.Type] = pid
		}
		ctx.Send(pid, &handlerDelivery{msg: &CustomMessage{RoomID: r.id, Type: msg.Type, SenderUserID: m.userID, SenderConnID: m.connID, Data: msg.Raw}})
		return
	}
	r.broadcast(newOut(msg.Raw), "custom", m.connID)
}

// --- sweep ---

func (r *room) handleSweep(ctx actor.Context, s *sweep) {
	now := s.now.UnixMilli()
	timeout, removal := r.rc.HeartbeatTimeout.Milliseconds(), r.rc.OfflineRemoval.Milliseconds()
	changed := false
	for _, m := range append([]*member(nil), r.order...) {
		switch {
		case !m.offline() && now-m.lastHeartbeat > timeout:
			m.onlineStatus, m.offlineSince, m.entry = jsonOffline, now, nil
			changed = true
		case m.offline() && m.offlineSince == 0 && now-m.lastHeartbeat > timeout:
			// Declared offline by the client and silent since: start the
			// removal clock (the reference never removes these: a leak).
			m.offlineSince = now
		case m.offline() && m.offlineSince != 0 && now-m.offlineSince > removal:
			r.removeMember(ctx, m, transport.ReasonRemoved)
			changed = true
		}
	}
	if changed {
		r.presenceChanged(ctx)
		r.afterMembershipChange(ctx)
	}
}

// --- SDK and handler requests ---

func (r *room) handleHandlerOut(h *handlerOut) {
	o := newOut(h.data)
	switch {
	case h.toConn != 0:
		if m, ok := r.members[h.toConn]; ok && !m.pending && !m.yws {
			r.send(m, o, "custom")
		}
	case h.broadcast:
		r.broadcast(o, "custom", h.exclude)
	}
}

func (r *room) handleBroadcastRequest(ctx actor.Context, b *BroadcastRequest) {
	r.fanout(newOut(b.Data), "custom", 0, b.Exclude, 0)
	respond(ctx, &RoomReply{Accepted: true})
}

func (r *room) handleSetLiveState(ctx actor.Context, s *SetLiveStateRequest) {
	value := []byte(s.Value)
	if len(bytes.TrimSpace(value)) == 0 {
		value = nil
	}
	e := r.state.apply(&codec.StateUpdate{Key: s.Key, Value: value, Timestamp: float64(r.now().UnixMilli())}, "__server__")
	if e != nil {
		r.broadcast(newOut(codec.AppendStateUpdate(nil, e)), "state:update", 0)
	}
	respond(ctx, &RoomReply{Accepted: e != nil})
}

func (r *room) handleUsers(ctx actor.Context) {
	users := make([]User, 0, len(r.order))
	for _, m := range r.order {
		users = append(users, m.user())
	}
	respond(ctx, &RoomReply{Accepted: true, Users: users, Size: len(r.members)})
}

func (r *room) hook(ctx actor.Context, c *hookCall) {
	if !r.cfg.Hooks.any() {
		return
	}
	if r.hooks == nil {
		r.hooks = ctx.Spawn(newHookRunnerProps(r.id, &r.cfg.Hooks, r.logger, r.metrics))
	}
	ctx.Send(r.hooks, c)
}

func respond(ctx actor.Context, v any) {
	if ctx.Sender() != nil {
		ctx.Respond(v)
	}
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
