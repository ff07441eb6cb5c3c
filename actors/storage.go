package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/internal/roomstate"
	"github.com/lively-actor/lively/store"
	"github.com/lively-actor/lively/transport"
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

// storageLoaded carries the load result back to the room: the stored room,
// or else the InitialStorage hook's root.
type storageLoaded struct {
	stored   *store.Room
	root     json.RawMessage
	yjs      []byte // from InitialYjs when the store had no Yjs document
	yjsErr   error  // InitialYjs failure: start with no Yjs document
	err      error  // hook failure: start with no storage
	storeErr error  // store failure: the room must not start (it would overwrite)
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

// startStorageLoad loads the room's storage once per room life, off the
// room's goroutine, bounded by Rooms.InitialStorageTimeout: from the store
// when it has the room, else from the InitialStorage hook.
func (r *room) startStorageLoad(ctx actor.Context) {
	hook, yhook, st := r.cfg.Hooks.InitialStorage, r.cfg.Hooks.InitialYjs, r.cfg.Store
	if hook == nil && yhook == nil && st == nil {
		return
	}
	r.storageState = storageLoading
	self, root := ctx.Self(), ctx.ActorSystem().Root
	timeout := r.rc.InitialStorageTimeout
	r.loadTimer = time.AfterFunc(timeout, func() { root.Send(self, &storageLoadTimeout{}) })
	id := r.id
	go func() { // owned by the room; ends when the load returns (its ctx carries the deadline)
		lctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res := loadStorage(lctx, id, st, hook)
		if yhook != nil && res.storeErr == nil && (res.stored == nil || len(res.stored.Snapshot.Yjs) == 0 && !hasYjsChanges(res.stored)) {
			res.yjs, res.yjsErr = callLoadHook(lctx, id, "InitialYjs", yhook)
		}
		root.Send(self, res)
	}()
}

func loadStorage(ctx context.Context, id string, st store.Store, hook func(context.Context, string) (json.RawMessage, error)) *storageLoaded {
	res := &storageLoaded{}
	if st != nil {
		stored, err := st.Load(ctx, id)
		switch {
		case err == nil:
			res.stored = stored
			return res
		case !errors.Is(err, store.ErrNotFound):
			res.storeErr = err
			return res
		}
	}
	if hook != nil {
		res.root, res.err = callLoadHook(ctx, id, "InitialStorage", hook)
	}
	return res
}

// callLoadHook calls a user load hook: a panic is an error, and so is a
// result that arrives after the load's deadline.
func callLoadHook[T any](ctx context.Context, id, name string, hook func(context.Context, string) (T, error)) (res T, err error) {
	defer func() {
		if v := recover(); v != nil {
			var zero T
			res, err = zero, fmt.Errorf("%s panicked: %v", name, v)
		}
	}()
	res, err = hook(ctx, id)
	if err == nil && ctx.Err() != nil {
		var zero T
		return zero, fmt.Errorf("%s returned after its deadline: %w", name, ctx.Err())
	}
	return res, err
}

func hasYjsChanges(st *store.Room) bool {
	for _, c := range st.Changes {
		if c.Kind == store.KindYjs {
			return true
		}
	}
	return false
}

func (r *room) handleStorageLoaded(ctx actor.Context, l *storageLoaded) {
	if r.storageState != storageLoading {
		return // timed out already
	}
	r.loadTimer.Stop()
	var lastSeq uint64
	switch {
	case l.storeErr != nil:
		r.failRoom(ctx, fmt.Errorf("loading the room from the store: %w", l.storeErr))
		return
	case l.stored != nil:
		rb := roomstate.Rebuild(l.stored)
		for _, p := range rb.Problems {
			r.logger.Error("stored "+p.What+" is invalid; skipping it", "seq", p.Seq, "err", p.Err)
		}
		r.doc, r.ydoc = rb.Storage, rb.YDoc
		lastSeq = l.stored.LastSeq()
		r.persistFold = len(l.stored.Changes) > 0
	case l.err != nil:
		r.logger.Warn("InitialStorage failed; starting with no storage", "err", l.err)
	case len(l.root) > 0 && string(l.root) != "null":
		d, err := crdt.Deserialize(l.root)
		if err != nil {
			r.metrics.Dropped("bad_initial_storage")
			r.logger.Warn("InitialStorage returned an invalid document; starting with no storage", "err", err)
			break
		}
		r.doc = d
	}
	if l.yjsErr != nil {
		r.logger.Warn("InitialYjs failed; starting with no Yjs document", "err", l.yjsErr)
	}
	if len(l.yjs) > 0 {
		d := yjs.NewDoc()
		if err := d.Load(l.yjs); err != nil {
			r.metrics.Dropped("bad_initial_yjs")
			r.logger.Warn("InitialYjs returned an invalid document; ignoring it", "err", err)
		} else {
			r.ydoc = d
		}
	}
	r.storageChanged()
	r.startPersister(lastSeq)
	if l.stored == nil && r.doc != nil {
		r.persist(ctx, store.KindStorageInit, r.doc.AppendJSON(nil)) // the store caches the hook's document
	}
	if len(l.yjs) > 0 && r.ydoc != nil {
		r.persist(ctx, store.KindYjs, r.snapshotYjs())
	}
	r.finishStorageLoad(ctx)
}

// failRoom closes every member with a retryable code and stops the room; the
// next join starts it again.
func (r *room) failRoom(ctx actor.Context, err error) {
	r.logger.Error("room failed; closing its members so they reconnect", "err", err)
	r.metrics.panic()
	for _, m := range append([]*member(nil), r.order...) {
		r.removeMember(ctx, m, transport.ReasonInternal)
	}
	r.storageState = storageReady
	r.storageWaiting, r.ywsWaiting = nil, nil
	r.failed = true
	ctx.Send(r.registry, &roomFailed{roomID: r.id, room: ctx.Self()})
}

// receiveFailed answers what reaches a failed room until the registry's
// poison pill stops it: admissions and requests get ErrRoomFailed, a join
// (admitted before the failure) is closed so the client reconnects to the
// room's successor; the rest is dropped.
func (r *room) receiveFailed(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *admitRoom:
		ctx.Respond(&admitResult{err: ErrRoomFailed})
	case *join:
		m.conn.Close(transport.ReasonInternal)
	case *YjsTxnRequest:
		respond(ctx, &YjsTxnReply{Err: ErrRoomFailed})
	case *BroadcastRequest, *SetLiveStateRequest, *UsersRequest, *MutateStorageRequest, *SnapshotRequest:
		respond(ctx, &RoomReply{Err: ErrRoomFailed})
	}
}

func (r *room) handleStorageLoadTimeout(ctx actor.Context) {
	if r.storageState != storageLoading {
		return
	}
	if r.cfg.Store != nil {
		r.failRoom(ctx, fmt.Errorf("loading the room took longer than %s", r.rc.InitialStorageTimeout))
		return
	}
	r.logger.Warn("InitialStorage timed out; starting with no storage", "timeout", r.rc.InitialStorageTimeout)
	r.finishStorageLoad(ctx)
}

// startPersister turns persistence on (when there is a store). The
// persistence actor itself is spawned by the first change: an idle room,
// like most of thousands held open by idle connections, has none.
func (r *room) startPersister(lastSeq uint64) {
	if r.cfg.Store == nil || r.persistOn {
		return
	}
	r.persistOn, r.persistFrom = true, lastSeq
}

// spawnPersister starts the room's persistence actor.
func (r *room) spawnPersister(ctx actor.Context) {
	r.cfg.persisters.Add(1)
	r.persister = ctx.ActorSystem().Root.Spawn(newPersisterProps(r.id, r.cfg, r.persistFrom))
}

// persist records one change; every SnapshotEvery changes the full state
// follows so the store can fold its log.
func (r *room) persist(ctx actor.Context, kind store.Kind, data []byte) {
	if !r.persistOn {
		return
	}
	if r.persister == nil {
		r.spawnPersister(ctx)
	}
	ctx.Send(r.persister, &persistChange{change: store.Change{Kind: kind, Data: data}})
	r.changesSinceSnapshot++
	if r.changesSinceSnapshot >= r.cfg.SnapshotEvery {
		r.changesSinceSnapshot = 0
		ctx.Send(r.persister, &persistSnapshot{storage: r.snapshotRoot(), yjs: r.snapshotYjs()})
	}
}

// stopPersister sends the final snapshot; the persister writes everything
// and stops. A room that changed nothing has nothing to write, unless it was
// loaded from a change log that the snapshot folds.
func (r *room) stopPersister(ctx actor.Context) {
	on := r.persistOn
	r.persistOn = false
	if r.persister == nil {
		if !on || !r.persistFold {
			return
		}
		r.spawnPersister(ctx)
	}
	ctx.Send(r.persister, &persistSnapshot{storage: r.snapshotRoot(), yjs: r.snapshotYjs(), final: true})
	r.persister = nil
}

// finishStorageLoad sends each member that waited for the load its one
// storage:init.
func (r *room) finishStorageLoad(ctx actor.Context) {
	r.storageState = storageReady
	waiting := r.storageWaiting
	r.storageWaiting = nil
	for _, m := range waiting {
		if _, ok := r.members[m.connID]; ok {
			r.send(m, r.storageInitMsg(), "storage:init")
			r.sendYjsInitial(m)
		}
	}
	yws := r.ywsWaiting
	r.ywsWaiting = nil
	for _, m := range yws {
		if _, ok := r.members[m.connID]; ok {
			r.sendYwsInitial(m)
		}
	}
	r.runPendingTxns(ctx)
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
	seeded := r.snapshotRoot()
	r.persist(ctx, store.KindStorageInit, seeded)
	r.storageHook(ctx, &StorageChange{Root: seeded, Clock: d.Clock()})
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
	kept := ops[:0]
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
		kept = append(kept, *op)
	}
	r.commitOps(ctx, kept, len(raw))
	if resync && !m.pending {
		r.send(m, r.storageInitMsg(), "storage:init")
	}
}

// opsStart is where the ops array begins in a storage:ops message.
var opsStart = len(codec.AppendStorageOpsHeader(nil)) - 1

// commitOps sends applied, stamped ops to everyone as one storage:ops
// message, persists them and calls OnStorageChange; nothing when ops is
// empty. sizeHint sizes the message buffer.
func (r *room) commitOps(ctx actor.Context, ops []crdt.Op, sizeHint int) {
	if len(ops) == 0 {
		return
	}
	r.storageChanged()
	buf := codec.AppendStorageOpsHeader(make([]byte, 0, sizeHint+64))
	for i := range ops {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = crdt.AppendOpJSON(buf, &ops[i])
	}
	arrayEnd := len(buf) + 1 // the footer starts with the array's ']'
	buf = codec.AppendStorageOpsFooter(buf, r.doc.Clock())
	array := json.RawMessage(buf[opsStart:arrayEnd])
	r.broadcast(newOut(buf), "storage:ops", 0)
	r.persist(ctx, store.KindStorage, array)
	r.storageHook(ctx, &StorageChange{Ops: array, Clock: r.doc.Clock()})
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
	r.commitOps(ctx, ops, 64*len(ops))
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
