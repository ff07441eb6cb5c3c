package actors

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// roomEntry is the registry's record of one live room.
type roomEntry struct {
	pid    *actor.PID
	admits uint64 // admissions routed to the room
	gen    uint64 // bumped by every admission: cancels a pending cleanup
	timer  *time.Timer
}

// registry is the supervisor of all rooms: it spawns them on first
// admission, evicts them after the grace period, drives the heartbeat sweep
// and answers introspection.
type registry struct {
	cfg        *Config
	logger     *slog.Logger
	rooms      map[string]*roomEntry
	byPID      map[string]string // room PID id → room id
	sweepTimer *time.Timer
	stopping   bool // the registry is stopping: its rooms stop with it
}

func newRegistryProps(cfg *Config) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &registry{cfg: cfg, logger: cfg.Logger, rooms: map[string]*roomEntry{}, byPID: map[string]string{}}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(0, time.Second, func(any) actor.Directive {
		// A room that fails outside its own recovery is stopped (its
		// Stopping handler closes the members, who reconnect), never
		// silently restarted empty behind its members' backs.
		return actor.StopDirective
	})))
}

func (g *registry) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *admit:
		g.handleAdmit(ctx, m)
	case *roomEmpty:
		g.handleRoomEmpty(ctx, m)
	case *cleanupDue:
		g.handleCleanupDue(ctx, m)
	case *sweepDue:
		g.handleSweepDue(ctx)
	case *forward:
		g.handleForward(ctx, m)
	case *listRooms:
		g.handleListRooms(ctx)
	case *roomFailed:
		g.handleRoomFailed(ctx, m)
	case *actor.Terminated:
		g.handleTerminated(m)
	case *actor.Started:
		g.scheduleSweep(ctx)
	case *actor.Stopping:
		g.stopping = true
		if g.sweepTimer != nil {
			g.sweepTimer.Stop()
		}
		for _, e := range g.rooms {
			if e.timer != nil {
				e.timer.Stop()
			}
		}
	case *actor.Stopped, *actor.Restarting:
	default:
		g.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		g.cfg.Metrics.unexpectedMsg()
	}
}

func (g *registry) handleAdmit(ctx actor.Context, a *admit) {
	e := g.rooms[a.roomID]
	if e == nil {
		if g.cfg.MaxRooms > 0 && len(g.rooms) >= g.cfg.MaxRooms {
			ctx.Respond(&admitResult{err: ErrTooManyRooms})
			return
		}
		e = g.spawnRoom(ctx, a.roomID)
	}
	e.admits++
	e.gen++
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	ctx.RequestWithCustomSender(e.pid, &admitRoom{}, ctx.Sender())
}

func (g *registry) handleRoomEmpty(ctx actor.Context, m *roomEmpty) {
	e := g.rooms[m.roomID]
	if e == nil || !e.pid.Equal(m.room) || e.admits != m.admits {
		return // stale notice, or an admission is already on its way to the room
	}
	if e.timer != nil {
		e.timer.Stop()
	}
	gen, self, root := e.gen, ctx.Self(), ctx.ActorSystem().Root
	grace := g.cfg.Rooms.CleanupTimeout
	if m.docOnly {
		grace = g.cfg.Rooms.DocumentCleanupTimeout
	}
	e.timer = time.AfterFunc(grace, func() {
		root.Send(self, &cleanupDue{roomID: m.roomID, gen: gen})
	})
}

func (g *registry) handleCleanupDue(ctx actor.Context, m *cleanupDue) {
	e := g.rooms[m.roomID]
	if e == nil || e.gen != m.gen {
		return // a join came in meanwhile
	}
	g.forget(m.roomID, e)
	ctx.Stop(e.pid)
	g.logger.Debug("room evicted after grace period", "room", m.roomID)
}

// forget drops a room's entry (its cleanup timer too): the next admission
// for its id spawns a new room.
func (g *registry) forget(id string, e *roomEntry) {
	if e.timer != nil {
		e.timer.Stop()
	}
	delete(g.rooms, id)
	delete(g.byPID, e.pid.Id)
}

func (g *registry) handleRoomFailed(ctx actor.Context, m *roomFailed) {
	if e := g.rooms[m.roomID]; e != nil && e.pid.Equal(m.room) {
		g.forget(m.roomID, e)
	}
	// A user message, behind every admission and request already queued to
	// the room: each gets its answer (ErrRoomFailed) before the room stops.
	ctx.Poison(m.room)
}

func (g *registry) handleTerminated(m *actor.Terminated) {
	id, ok := g.byPID[m.Who.Id]
	if !ok {
		return
	}
	delete(g.byPID, m.Who.Id)
	if e := g.rooms[id]; e != nil && e.pid.Equal(m.Who) {
		g.forget(id, e)
		if !g.stopping {
			g.logger.Warn("room stopped unexpectedly", "room", id)
		}
	}
}

func (g *registry) scheduleSweep(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	g.sweepTimer = time.AfterFunc(g.cfg.Rooms.HeartbeatInterval, func() { root.Send(self, &sweepDue{}) })
}

func (g *registry) handleSweepDue(ctx actor.Context) {
	now := g.cfg.Now()
	for _, e := range g.rooms {
		ctx.Send(e.pid, &sweep{now: now})
	}
	g.scheduleSweep(ctx)
}

func (g *registry) handleForward(ctx actor.Context, f *forward) {
	e := g.rooms[f.roomID]
	if e == nil && f.activate {
		if g.cfg.MaxRooms > 0 && len(g.rooms) >= g.cfg.MaxRooms {
			ctx.Respond(&YjsTxnReply{Err: ErrTooManyRooms})
			return
		}
		e = g.spawnRoom(ctx, f.roomID)
	}
	if e == nil {
		ctx.Respond(&RoomReply{Err: ErrNoRoom})
		return
	}
	e.gen++ // a request in flight keeps the room from being evicted under it
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	ctx.RequestWithCustomSender(e.pid, f.msg, ctx.Sender())
}

func (g *registry) handleListRooms(ctx actor.Context) {
	l := &roomList{rooms: make([]roomRef, 0, len(g.rooms))}
	for id, e := range g.rooms {
		l.rooms = append(l.rooms, roomRef{id: id, pid: e.pid})
	}
	ctx.Respond(l)
}

func (g *registry) spawnRoom(ctx actor.Context, id string) *roomEntry {
	// A child: its parent gets *actor.Terminated when it stops, so it is not
	// also watched (a watch costs each room a PIDSet and a second message).
	pid := ctx.Spawn(newRoomProps(id, g.cfg, ctx.Self()))
	e := &roomEntry{pid: pid}
	g.rooms[id] = e
	g.byPID[pid.Id] = id
	g.logger.Debug("room created", "room", id)
	return e
}
