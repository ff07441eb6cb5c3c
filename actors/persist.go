package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/store"
)

// persistChange is one change the room made, to be appended to the store.
type persistChange struct {
	change store.Change
}

// persistSnapshot is the room's full state after every change sent before
// it; the persister folds everything appended so far into it.
type persistSnapshot struct {
	storage []byte // nil: no storage document
	yjs     []byte // nil: no Yjs document
	final   bool   // the room is stopping: flush, snapshot and stop
}

// persistFlushDue fires the batched write.
type persistFlushDue struct{}

type persisterMsg interface{ isPersisterMsg() }

func (*persistChange) isPersisterMsg()   {}
func (*persistSnapshot) isPersisterMsg() {}
func (*persistFlushDue) isPersisterMsg() {}

// persister is the per-room persistence actor: it groups the room's changes
// and writes them at most every FlushInterval, writes snapshots, and retries
// failed writes with backoff while keeping them in memory. It is the only
// place that blocks on the store, so the room never waits on disk.
type persister struct {
	roomID   string
	st       store.Store
	interval time.Duration
	logger   *slog.Logger
	metrics  *Metrics
	wg       *sync.WaitGroup

	pending   []store.Change
	snap      *persistSnapshot // latest snapshot not yet written
	timer     *time.Timer
	scheduled bool
	failures  int
	lastSeq   uint64
	stopping  bool
}

func newPersisterProps(roomID string, cfg *Config, lastSeq uint64) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &persister{roomID: roomID, st: cfg.Store, interval: cfg.FlushInterval, logger: cfg.Logger.With("room", roomID),
			metrics: cfg.Metrics, wg: cfg.persisters, lastSeq: lastSeq}
	})
}

func (p *persister) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *persistChange:
		p.pending = append(p.pending, m.change)
		p.schedule(ctx, p.interval)
	case *persistSnapshot:
		p.snap = m
		if m.final {
			p.stopping = true
			p.flush(ctx)
			return
		}
		p.schedule(ctx, p.interval)
	case *persistFlushDue:
		p.scheduled = false
		p.flush(ctx)
	case *actor.Started:
	case *actor.Stopped:
		if p.timer != nil {
			p.timer.Stop()
		}
		p.wg.Done()
	case *actor.Stopping, *actor.Restarting:
	default:
		p.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		p.metrics.unexpectedMsg()
	}
}

func (p *persister) schedule(ctx actor.Context, after time.Duration) {
	if p.scheduled {
		return
	}
	p.scheduled = true
	self, root := ctx.Self(), ctx.ActorSystem().Root
	p.timer = time.AfterFunc(after, func() { root.Send(self, &persistFlushDue{}) })
}

// flush appends the pending changes, then writes the latest snapshot. On
// failure everything stays pending and is retried with backoff; when the
// room is stopping, retries stop after a few attempts (logged as lost).
func (p *persister) flush(ctx actor.Context) {
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.write(wctx)
	if errors.Is(err, store.ErrSnapshotAhead) || errors.Is(err, store.ErrStaleSnapshot) {
		// The stored room changed under us (cleared by "rooms clear"):
		// start it again from our full state.
		p.logger.Warn("stored room changed underneath; rewriting it from memory", "err", err)
		p.pending = nil
		if p.snap != nil && p.snap.storage != nil {
			p.pending = append(p.pending, store.Change{Kind: store.KindStorageInit, Data: p.snap.storage})
		}
		if p.snap != nil && p.snap.yjs != nil {
			p.pending = append(p.pending, store.Change{Kind: store.KindYjs, Data: p.snap.yjs})
		}
		p.snap, p.lastSeq = nil, 0
		err = p.write(wctx)
	}
	if err == nil {
		p.failures = 0
		if p.stopping {
			ctx.Stop(ctx.Self())
		}
		return
	}
	p.failures++
	p.metrics.persistError()
	p.logger.Error("persisting room failed; will retry", "err", err, "attempt", p.failures,
		"pending_changes", len(p.pending))
	if p.stopping && p.failures >= 5 {
		p.logger.Error("giving up persisting a stopping room", "lost_changes", len(p.pending))
		ctx.Stop(ctx.Self())
		return
	}
	backoff := p.interval << min(p.failures, 6)
	if p.stopping {
		backoff = 200 * time.Millisecond
	}
	p.scheduled = false
	p.schedule(ctx, backoff)
}

func (p *persister) write(ctx context.Context) error {
	if len(p.pending) > 0 {
		seq, err := p.st.Append(ctx, p.roomID, p.pending)
		if err != nil {
			return fmt.Errorf("append: %w", err)
		}
		p.metrics.persisted(len(p.pending))
		p.lastSeq, p.pending = seq, nil
	}
	if p.snap != nil {
		if p.snap.storage == nil && p.snap.yjs == nil && p.lastSeq == 0 {
			p.snap = nil // nothing was ever stored for this room
			return nil
		}
		err := p.st.WriteSnapshot(ctx, p.roomID, store.Snapshot{Storage: p.snap.storage, Yjs: p.snap.yjs, Seq: p.lastSeq})
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		p.snap = nil
	}
	return nil
}
