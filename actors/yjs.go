package actors

import (
	"encoding/base64"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/store"
	"github.com/lively-actor/lively/transport"
)

// awarenessTimeout is y-protocols' outdatedTimeout: a state not renewed for
// this long is removed (stock clients renew every 15 s).
const awarenessTimeout = 30 * time.Second

// awarenessCheck is how often expired awareness states are looked for.
const awarenessCheck = 3 * time.Second

// awarenessState is one y-protocols awareness client's state.
type awarenessState struct {
	clock   uint64
	state   []byte // raw JSON, never "null"
	updated time.Time
	conn    uint64 // the connection that last set it
}

// ywsInbound is one decoded y-websocket message.
type ywsInbound struct {
	connID uint64
	msg    codec.YMessage
}

// awarenessExpire looks for expired awareness states.
type awarenessExpire struct{}

func (*ywsInbound) isRoomMsg()      {}
func (*awarenessExpire) isRoomMsg() {}

var emptyStateVector = []byte{0}

// ensureYDoc creates the room's Yjs document on first use.
func (r *room) ensureYDoc() *yjs.Doc {
	if r.ydoc == nil {
		r.ydoc = yjs.NewDoc()
	}
	return r.ydoc
}

// applyYUpdate merges an update into the room's document. On success it
// persists it and calls OnYjsChange; the caller fans it out.
func (r *room) applyYUpdate(ctx actor.Context, update []byte) bool {
	if err := r.ensureYDoc().Apply(update); err != nil {
		r.metrics.Dropped("bad_yjs_update")
		r.logger.Debug("dropped invalid Yjs update", "err", err)
		return false
	}
	r.yjsChanged(ctx, update)
	return true
}

// yjsChanged persists an update the document applied and passes it to
// OnYjsChange. update is owned by the room from here on (nothing reuses it).
func (r *room) yjsChanged(ctx actor.Context, update []byte) {
	r.persist(ctx, store.KindYjs, update)
	if r.cfg.Hooks.OnYjsChange != nil {
		r.hook(ctx, &hookCall{kind: hookYjs, msg: update})
	}
}

// fanoutYUpdate sends an applied update to every connection but except:
// y-websocket members get [0,2,update]; Lively members get livelyJSON (the
// original yjs:* message when it came from a Lively client) or a yjs:update.
func (r *room) fanoutYUpdate(update []byte, except uint64, livelyJSON []byte) {
	if len(r.yws) > 1 || (len(r.yws) == 1 && r.yws[0].connID != except) {
		r.sendYws(codec.AppendYUpdate(nil, update), except, "yjs:update")
	}
	if livelyJSON == nil {
		livelyJSON = codec.AppendYjsUpdate(nil, update)
	}
	r.broadcast(newOut(livelyJSON), "yjs:update", except)
}

// sendYws frames a y-websocket message once and queues it to the
// y-websocket members but except.
func (r *room) sendYws(msg []byte, except uint64, kind string) {
	frame := transport.Frame(transport.OpBinary, msg)
	n := 0
	for _, m := range r.yws {
		if m.connID == except {
			continue
		}
		_ = m.conn.Enqueue(frame) // a slow consumer is closed by its outbox
		n++
	}
	r.metrics.out(kind, n)
}

func (r *room) sendYwsTo(m *member, frame []byte, kind string) {
	_ = m.conn.Enqueue(transport.Frame(transport.OpBinary, frame)) // see sendYws
	r.metrics.out(kind, 1)
}

// --- y-websocket connections ---

// sendYwsInitial greets a y-websocket connection: SyncStep1 with the room's
// state vector, then every known awareness state (PROTOCOL.md C.3).
func (r *room) sendYwsInitial(m *member) {
	r.sendYwsTo(m, codec.AppendYSyncStep1(nil, r.ensureYDoc().StateVector()), "yjs:sync-step1")
	if len(r.aware) > 0 {
		r.sendYwsTo(m, codec.AppendYAwareness(nil, r.awarenessUpdate(nil)), "yjs:awareness")
	}
}

func (r *room) handleYwsInbound(ctx actor.Context, in *ywsInbound) {
	m, ok := r.members[in.connID]
	if !ok {
		return
	}
	switch msg := in.msg.(type) {
	case *codec.YMsgSync:
		r.metrics.in("yjs:sync")
		switch msg.Sub {
		case codec.YSyncStep1:
			diff, err := r.ensureYDoc().EncodeStateAsUpdate(msg.Payload)
			if err != nil {
				r.metrics.Dropped("bad_state_vector")
				return
			}
			r.sendYwsTo(m, codec.AppendYSyncStep2(nil, diff), "yjs:sync-step2")
		case codec.YSyncStep2, codec.YSyncUpdate:
			if r.applyYUpdate(ctx, msg.Payload) {
				r.fanoutYUpdate(msg.Payload, m.connID, nil)
			}
		}
	case *codec.YMsgAwareness:
		r.metrics.in("yjs:awareness")
		r.applyAwareness(ctx, m, msg.Update)
	case *codec.YMsgQueryAwareness:
		r.sendYwsTo(m, codec.AppendYAwareness(nil, r.awarenessUpdate(nil)), "yjs:awareness")
	case *codec.YMsgSyncStatus:
		// Everything this connection sent before is applied: echo it.
		r.sendYwsTo(m, codec.AppendYSyncStatus(nil, msg.Payload), "yjs:sync-status")
	case *codec.YMsgAuth:
		// servers send auth messages; one from a client means nothing
	}
}

// applyAwareness applies an awareness update with the y-protocols rule
// (accept a higher clock, or a removal at the same clock of a state we hold)
// and echoes the accepted entries to every y-websocket connection, sender
// included: stock clients rely on that echo to stay connected.
func (r *room) applyAwareness(ctx actor.Context, m *member, update []byte) {
	entries, err := codec.DecodeAwarenessUpdate(update)
	if err != nil {
		r.metrics.Dropped("bad_awareness")
		return
	}
	now := time.Now()
	accepted := entries[:0]
	for _, e := range entries {
		cur := r.aware[e.ClientID]
		var curClock uint64
		if cur != nil {
			curClock = cur.clock
		}
		removed := e.Removed()
		if !(curClock < e.Clock || (curClock == e.Clock && removed && cur != nil)) {
			continue
		}
		if removed {
			delete(r.aware, e.ClientID)
		} else {
			if r.aware == nil {
				r.aware = map[uint64]*awarenessState{}
			}
			r.aware[e.ClientID] = &awarenessState{clock: e.Clock, state: append([]byte(nil), e.State...), updated: now, conn: m.connID}
			if m.awareIDs == nil {
				m.awareIDs = map[uint64]struct{}{}
			}
			m.awareIDs[e.ClientID] = struct{}{}
		}
		accepted = append(accepted, e)
	}
	if len(accepted) == 0 {
		return
	}
	r.sendYws(codec.AppendYAwareness(nil, codec.AppendAwarenessUpdate(nil, accepted)), 0, "yjs:awareness")
	r.scheduleAwarenessExpiry(ctx)
}

// awarenessUpdate encodes the given client ids (all when nil).
func (r *room) awarenessUpdate(ids []uint64) []byte {
	entries := make([]codec.AwarenessEntry, 0, len(r.aware))
	if ids == nil {
		for id, s := range r.aware {
			entries = append(entries, codec.AwarenessEntry{ClientID: id, Clock: s.clock, State: s.state})
		}
	} else {
		for _, id := range ids {
			if s := r.aware[id]; s != nil {
				entries = append(entries, codec.AwarenessEntry{ClientID: id, Clock: s.clock, State: s.state})
			}
		}
	}
	return codec.AppendAwarenessUpdate(nil, entries)
}

// removeAwareness drops states and broadcasts their removal (same clock,
// null state), as y-protocols' removeAwarenessStates does.
func (r *room) removeAwareness(ids []uint64) {
	var removed []codec.AwarenessEntry
	for _, id := range ids {
		if s := r.aware[id]; s != nil {
			removed = append(removed, codec.AwarenessEntry{ClientID: id, Clock: s.clock, State: []byte("null")})
			delete(r.aware, id)
		}
	}
	if len(removed) == 0 {
		return
	}
	r.sendYws(codec.AppendYAwareness(nil, codec.AppendAwarenessUpdate(nil, removed)), 0, "yjs:awareness")
}

// leaveAwareness removes the states a leaving connection brought.
func (r *room) leaveAwareness(m *member) {
	var ids []uint64
	for id := range m.awareIDs {
		if s := r.aware[id]; s != nil && s.conn == m.connID {
			ids = append(ids, id)
		}
	}
	r.removeAwareness(ids)
}

func (r *room) scheduleAwarenessExpiry(ctx actor.Context) {
	if r.awareTimer != nil || len(r.aware) == 0 {
		return
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	r.awareTimer = time.AfterFunc(awarenessCheck, func() { root.Send(self, &awarenessExpire{}) })
}

func (r *room) handleAwarenessExpire(ctx actor.Context) {
	r.awareTimer = nil
	now := time.Now()
	var ids []uint64
	for id, s := range r.aware {
		if now.Sub(s.updated) >= awarenessTimeout {
			ids = append(ids, id)
		}
	}
	r.removeAwareness(ids)
	r.scheduleAwarenessExpiry(ctx)
}

// --- Lively yjs:* messages ---

func (r *room) handleLivelyYjs(ctx actor.Context, m *member, msg *codec.Inbound) {
	if msg.Kind == codec.KindYjsAwareness {
		r.broadcast(newOut(msg.Raw), "yjs:awareness", m.connID)
		return
	}
	data, err := base64.StdEncoding.DecodeString(msg.Data)
	if err != nil {
		r.metrics.Dropped("bad_base64")
		return
	}
	switch msg.Kind {
	case codec.KindYjsSyncStep1:
		if r.ydoc != nil {
			diff, err := r.ydoc.EncodeStateAsUpdate(data)
			if err != nil {
				r.metrics.Dropped("bad_state_vector")
				return
			}
			r.send(m, newOut(codec.AppendYjsSyncStep2(nil, diff)), "yjs:sync-step2")
		}
		r.broadcast(newOut(msg.Raw), "yjs:sync-step1", m.connID)
	case codec.KindYjsUpdate, codec.KindYjsSyncStep2:
		if r.applyYUpdate(ctx, data) {
			r.fanoutYUpdate(data, m.connID, msg.Raw)
		}
	}
}

// sendYjsInitial gives a Lively joiner the document, when there is one.
func (r *room) sendYjsInitial(m *member) {
	if r.ydoc == nil {
		return
	}
	full, err := r.ydoc.EncodeStateAsUpdate(nil)
	if err != nil {
		r.logger.Error("encoding the Yjs document failed", "err", err)
		return
	}
	r.send(m, newOut(codec.AppendYjsSyncStep2(nil, full)), "yjs:sync-step2")
}

// snapshotYjs is the full Yjs state for persistence (nil without a document).
func (r *room) snapshotYjs() []byte {
	if r.ydoc == nil {
		return nil
	}
	full, err := r.ydoc.EncodeStateAsUpdate(nil)
	if err != nil {
		r.logger.Error("encoding the Yjs document failed", "err", err)
		return nil
	}
	return full
}
