package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/crdt"
)

// StorageChange is what OnStorageChange receives: either a batch of ops as
// the room applied and broadcast them (stamped with the room's clock), or a
// whole new root (a client-seeded storage:init).
type StorageChange struct {
	// Ops is the JSON array of applied, stamped ops (nil for an init).
	Ops json.RawMessage
	// Root is the serialized document after a client-seeded init (nil for ops).
	Root json.RawMessage
	// Clock is the document clock after the change.
	Clock int64
}

// storage load states.
const (
	storageNone    = iota // no document, no load pending: joiners get root:null
	storageLoading        // InitialStorage is running: joiners wait
	storageReady          // load settled (doc may still be nil)
)

// storageLoaded carries the InitialStorage result back to the room.
type storageLoaded struct {
	root json.RawMessage
	err  error
}

// storageLoadTimeout fires when InitialStorage took too long.
type storageLoadTimeout struct{}

// MutateStorageRequest runs Fn on the room actor against the storage root and
// broadcasts the ops it emitted as one storage:ops message. Reply: *RoomReply
// (Err is ErrNoStorage when the storage is not initialized, or Fn's error).
type MutateStorageRequest struct {
	Fn func(root *crdt.Object) error
}

// SnapshotRequest asks for the serialized storage root. Reply:
// *RoomReply with Snapshot (nil when not initialized).
type SnapshotRequest struct{}

func (*storageLoaded) isRoomMsg()        {}
func (*storageLoadTimeout) isRoomMsg()   {}
func (*MutateStorageRequest) isRoomMsg() {}
func (*SnapshotRequest) isRoomMsg()      {}

// startStorageLoad calls InitialStorage once per room life, off the room's
// goroutine, bounded by Rooms.InitialStorageTimeout.
func (r *room) startStorageLoad(ctx actor.Context) {
	hook := r.cfg.Hooks.InitialStorage
	if hook == nil {
		return
	}
	r.storageState = storageLoading
	self, root := ctx.Self(), ctx.ActorSystem().Root
	timeout := r.rc.InitialStorageTimeout
	r.loadTimer = time.AfterFunc(timeout, func() { root.Send(self, &storageLoadTimeout{}) })
	id, logger := r.id, r.logger
	go func() { // owned by the room; ends when the hook returns (its ctx carries the deadline)
		hctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var res storageLoaded
		func() {
			defer func() {
				if v := recover(); v != nil {
					res.err = fmt.Errorf("InitialStorage panicked: %v", v)
				}
			}()
			res.root, res.err = hook(hctx, id)
		}()
		if res.err == nil && hctx.Err() != nil {
			res.root, res.err = nil, fmt.Errorf("InitialStorage returned after its deadline: %w", hctx.Err())
		}
		if res.err != nil {
			logger.Warn("InitialStorage failed; starting with no storage", "err", res.err)
		}
		root.Send(self, &res)
	}()
}

func (r *room) handleStorageLoaded(ctx actor.Context, l *storageLoaded) {
	if r.storageState != storageLoading {
		return // timed out already
	}
	r.loadTimer.Stop()
	if l.err == nil && r.doc == nil && len(l.root) > 0 && string(l.root) != "null" {
		d, err := crdt.Deserialize(l.root)
		if err != nil {
			r.metrics.Dropped("bad_initial_storage")
			r.logger.Warn("InitialStorage returned an invalid document; starting with no storage", "err", err)
		} else {
			r.doc = d
			r.storageChanged()
		}
	}
	r.finishStorageLoad()
}

func (r *room) handleStorageLoadTimeout(ctx actor.Context) {
	if r.storageState != storageLoading {
		return
	}
	r.logger.Warn("InitialStorage timed out; starting with no storage", "timeout", r.rc.InitialStorageTimeout)
	r.finishStorageLoad()
}

// finishStorageLoad sends each member that waited for the load its one
// storage:init.
func (r *room) finishStorageLoad() {
	r.storageState = storageReady
	waiting := r.storageWaiting
	r.storageWaiting = nil
	for _, m := range waiting {
		if _, ok := r.members[m.connID]; ok {
			r.send(m, r.storageInitMsg(), "storage:init")
		}
	}
}

// sendStorageInit sends a joiner its storage:init, or parks it until the
// initial load settles (exactly one storage:init per join either way).
func (r *room) sendStorageInit(m *member) {
	if r.storageState == storageLoading {
		r.storageWaiting = append(r.storageWaiting, m)
		return
	}
	r.send(m, r.storageInitMsg(), "storage:init")
}

// storageInitMsg is the current storage:init, encoded once per document
// version.
func (r *room) storageInitMsg() *outMsg {
	if r.snapshot == nil {
		var root []byte
		if r.doc != nil {
			root = r.doc.AppendJSON(nil)
		}
		r.snapshot = newOut(codec.AppendStorageInit(nil, root))
	}
	return r.snapshot
}

// storageChanged drops the cached snapshot after any document change.
func (r *room) storageChanged() { r.snapshot = nil }

func (r *room) handleStorage(ctx actor.Context, m *member, msg *codec.Inbound) {
	switch msg.Kind {
	case codec.KindStorageInit:
		r.handleClientInit(ctx, m, msg.Root)
	case codec.KindStorageOps:
		r.handleOps(ctx, m, msg.Ops)
	}
}

// handleClientInit seeds the room's storage from the first client init and
// broadcasts it to all, so waiting clients resolve. A later init (two
// clients seeded concurrently, B.2.7 case 4) is ignored, and its sender, who
// will take our broadcast for the echo of its own init, is resynced.
func (r *room) handleClientInit(ctx actor.Context, m *member, root []byte) {
	if string(root) == "null" {
		return
	}
	if r.doc != nil {
		r.metrics.Dropped("storage_init_ignored")
		r.send(m, r.storageInitMsg(), "storage:init")
		return
	}
	if r.storageState == storageLoading {
		r.metrics.Dropped("storage_init_while_loading")
		return
	}
	d, err := crdt.Deserialize(root)
	if err != nil {
		r.metrics.Dropped("bad_storage_init")
		r.logger.Debug("dropped invalid storage:init", "conn", m.connID, "err", err)
		return
	}
	r.doc = d
	r.storageChanged()
	o := r.storageInitMsg()
	r.broadcast(o, "storage:init", 0)
	r.storageHook(ctx, &StorageChange{Root: r.snapshotRoot(), Clock: d.Clock()})
}

// snapshotRoot is the serialized root (nil when there is no document).
func (r *room) snapshotRoot() json.RawMessage {
	if r.doc == nil {
		return nil
	}
	return r.doc.AppendJSON(nil)
}

// handleOps sequences a client's batch: each op is stamped with the room's
// clock and applied in arrival order; the applied ops go to everyone in one
// storage:ops message. An op the room cannot apply is left out, and its
// sender, whose replica holds something ours does not, gets a fresh snapshot.
// So does the sender of a list-move: the stock client places moves by index
// and can otherwise end up with a different order (PROTOCOL.md A.2.2).
func (r *room) handleOps(ctx actor.Context, m *member, raw []byte) {
	if r.doc == nil {
		r.metrics.Dropped("storage_ops_before_init")
		return
	}
	ops, bad, err := crdt.DecodeOps(raw)
	if err != nil {
		r.metrics.Dropped("bad_storage_ops")
		if !m.pending {
			r.send(m, r.storageInitMsg(), "storage:init")
		}
		return
	}
	for i := 0; i < bad; i++ {
		r.metrics.Dropped("bad_storage_op")
	}
	// The sender applied its bad ops locally: it needs the real state back.
	resync := bad > 0
	buf := codec.AppendStorageOpsHeader(make([]byte, 0, len(raw)+64))
	applied := 0
	for i := range ops {
		op := &ops[i]
		switch r.doc.Sequence(op) {
		case crdt.Unappliable:
			r.metrics.Dropped("unappliable_storage_op")
			resync = true
			continue
		case crdt.Applied:
			if op.Kind == crdt.OpListMove {
				resync = true
			}
		}
		if applied > 0 {
			buf = append(buf, ',')
		}
		buf = crdt.AppendOpJSON(buf, op)
		applied++
	}
	if applied > 0 {
		r.storageChanged()
		buf = codec.AppendStorageOpsFooter(buf, r.doc.Clock())
		r.broadcast(newOut(buf), "storage:ops", 0)
		r.storageHook(ctx, &StorageChange{Ops: opsArray(buf), Clock: r.doc.Clock()})
	}
	if resync && !m.pending {
		r.send(m, r.storageInitMsg(), "storage:init")
	}
}

// opsArray cuts the ops array out of an encoded storage:ops message.
func opsArray(msg []byte) json.RawMessage {
	const head = len(`{"type":"storage:ops","ops":`)
	end := len(msg) - 1
	for end > head && msg[end] != ']' {
		end--
	}
	return json.RawMessage(msg[head : end+1])
}

func (r *room) handleMutateStorage(ctx actor.Context, req *MutateStorageRequest) {
	if r.doc == nil {
		respond(ctx, &RoomReply{Err: ErrNoStorage})
		return
	}
	var ops []crdt.Op
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("actors: MutateStorage function panicked: %v", v)
			}
		}()
		ops, err = r.doc.Mutate(req.Fn)
	}()
	if len(ops) > 0 {
		r.storageChanged()
		buf := codec.AppendStorageOpsHeader(nil)
		for i := range ops {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = crdt.AppendOpJSON(buf, &ops[i])
		}
		buf = codec.AppendStorageOpsFooter(buf, r.doc.Clock())
		r.broadcast(newOut(buf), "storage:ops", 0)
		r.storageHook(ctx, &StorageChange{Ops: opsArray(buf), Clock: r.doc.Clock()})
	}
	respond(ctx, &RoomReply{Err: err, Accepted: err == nil})
}

func (r *room) handleSnapshot(ctx actor.Context) {
	respond(ctx, &RoomReply{Accepted: r.doc != nil, Snapshot: r.snapshotRoot()})
}

func (r *room) storageHook(ctx actor.Context, c *StorageChange) {
	if r.cfg.Hooks.OnStorageChange != nil {
		r.hook(ctx, &hookCall{kind: hookStorage, storage: c})
	}
}
