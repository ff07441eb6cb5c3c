package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/transport"
)

// requestTimeout bounds SDK round trips to the actors.
const requestTimeout = 5 * time.Second

// admitTimeout bounds an upgrade's admission. It is long: under a join storm
// a room works through thousands of admissions, and waiting beats a 503.
const admitTimeout = 30 * time.Second

// System is the running actor system: the registry and its rooms. Its
// methods are the SDK: each is a message to the actors (callers block, the
// actors never do).
type System struct {
	as       *actor.ActorSystem
	root     *actor.RootContext
	registry *actor.PID
	cfg      *Config
	// sessionProps spawns every connection's session actor.
	sessionProps *actor.Props
}

// NewSystem starts the actor system and the registry.
func NewSystem(cfg Config) *System {
	cfg.Rooms = cfg.Rooms.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 100 * time.Millisecond
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 1000
	}
	cfg.persisters = &sync.WaitGroup{}
	cfg.shuttingDown = &atomic.Bool{}
	if cfg.RateLimit > 0 && cfg.RateBurst <= 0 {
		cfg.RateBurst = max(1, int(cfg.RateLimit))
	}
	logger := cfg.Logger
	as := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(minLevel{logger.Handler(), slog.LevelWarn}).With("lib", "protoactor")
	}))
	s := &System{as: as, root: as.Root, cfg: &cfg, sessionProps: newSessionProps(cfg.Logger, cfg.Metrics, cfg.shuttingDown)}
	s.registry = as.Root.Spawn(newRegistryProps(s.cfg))
	return s
}

// Admit reserves a place in a room for an upgrade (creating the room on
// first use); yws selects the y-websocket protocol for the connection. The
// error is ErrRoomFull, ErrTooManyRooms or a timeout.
func (s *System) Admit(roomID string, id Identity, yws bool) (transport.Admission, error) {
	res, err := s.root.RequestFuture(s.registry, &admit{roomID: roomID}, admitTimeout).Result()
	if err != nil {
		return nil, err
	}
	r, ok := res.(*admitResult)
	if !ok {
		return nil, errors.New("actors: unexpected admit reply")
	}
	if r.err != nil {
		return nil, r.err
	}
	return &admission{sys: s, roomID: roomID, room: r.room, identity: id, yws: yws}, nil
}

func (s *System) ask(roomID string, msg roomMsg) (*RoomReply, error) {
	res, err := s.root.RequestFuture(s.registry, &forward{roomID: roomID, msg: msg}, requestTimeout).Result()
	if err != nil {
		return nil, err
	}
	r, ok := res.(*RoomReply)
	if !ok {
		return nil, errors.New("actors: unexpected reply")
	}
	return r, r.Err
}

// Broadcast sends data (a JSON text message) to the room's connections,
// skipping the excluded connection ids. It returns false if the room does
// not exist.
func (s *System) Broadcast(roomID string, data []byte, exclude ...uint64) bool {
	_, err := s.ask(roomID, &BroadcastRequest{Data: data, Exclude: exclude})
	return err == nil
}

// SetLiveState sets key as "__server__" with timestamp now (LWW). It
// returns whether the value was accepted; ErrNoRoom if there is no room.
func (s *System) SetLiveState(roomID, key string, value json.RawMessage) (bool, error) {
	r, err := s.ask(roomID, &SetLiveStateRequest{Key: key, Value: value})
	if err != nil {
		return false, err
	}
	return r.Accepted, nil
}

// RoomUsers returns the room's presence entries (nil if there is no room).
func (s *System) RoomUsers(roomID string) []User {
	r, err := s.ask(roomID, &UsersRequest{})
	if err != nil {
		return nil
	}
	return r.Users
}

// MutateStorage runs fn on the room's actor against the storage root and
// broadcasts the ops it emitted as one storage:ops message. The wait is
// bounded by ctx (and at most requestTimeout without a deadline).
func (s *System) MutateStorage(ctx context.Context, roomID string, fn func(root *crdt.Object) error) error {
	timeout := requestTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	res, err := s.root.RequestFuture(s.registry, &forward{roomID: roomID, msg: &MutateStorageRequest{Fn: fn}}, timeout).Result()
	if err != nil {
		return err
	}
	r, ok := res.(*RoomReply)
	if !ok {
		return errors.New("actors: unexpected reply")
	}
	return r.Err
}

// StorageSnapshot returns the room's serialized storage root (nil when the
// storage is not initialized); ErrNoRoom if the room does not exist.
func (s *System) StorageSnapshot(roomID string) (json.RawMessage, error) {
	r, err := s.ask(roomID, &SnapshotRequest{})
	if err != nil {
		return nil, err
	}
	return r.Snapshot, nil
}

// YjsTxn runs fn on the room's actor against its Yjs document (see
// YjsTxnRequest). The room is started (and loaded from the store) when it
// is not live; the wait is bounded by ctx.
func (s *System) YjsTxn(ctx context.Context, roomID string, fn func(doc *yjs.Doc, clientID uint64) ([]byte, any, error)) (any, error) {
	timeout := requestTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	res, err := s.root.RequestFuture(s.registry, &forward{roomID: roomID, msg: &YjsTxnRequest{Fn: fn}, activate: true}, timeout).Result()
	if err != nil {
		return nil, err
	}
	switch r := res.(type) {
	case *YjsTxnReply:
		return r.Result, r.Err
	case *RoomReply:
		return nil, r.Err
	}
	return nil, errors.New("actors: unexpected reply")
}

// Rooms lists the live rooms with their users, sorted by id.
func (s *System) Rooms() []RoomInfo {
	res, err := s.root.RequestFuture(s.registry, &listRooms{}, requestTimeout).Result()
	if err != nil {
		return nil
	}
	l, _ := res.(*roomList)
	if l == nil {
		return nil
	}
	out := make([]RoomInfo, 0, len(l.rooms))
	for _, ref := range l.rooms {
		res, err := s.root.RequestFuture(ref.pid, &UsersRequest{}, requestTimeout).Result()
		if err != nil {
			continue // the room was evicted meanwhile
		}
		if r, ok := res.(*RoomReply); ok {
			out = append(out, RoomInfo{ID: ref.id, Size: r.Size, Users: r.Users})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Shutdown stops the registry (and so every room, which closes its members
// with 1001) and then the actor system. It returns ctx's error if the
// registry did not stop in time.
func (s *System) Shutdown(ctx context.Context) error {
	s.cfg.shuttingDown.Store(true)
	f := s.root.StopFuture(s.registry)
	done := make(chan error, 1)
	go func() { done <- f.Wait() }() // ends when the future completes or times out (10 s)
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	// Rooms sent their final snapshots; wait for the writes.
	flushed := make(chan struct{})
	go func() { // ends when every persister stopped (each gives up after bounded retries)
		s.cfg.persisters.Wait()
		close(flushed)
	}()
	select {
	case <-flushed:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("actors: pending changes not persisted: %w", ctx.Err()))
	}
	s.as.Shutdown()
	return err
}

// minLevel filters a handler to records at or above a level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.level}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.level} }
