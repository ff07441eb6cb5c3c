package actors

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lively-actor/lively/store"
)

// RoomConfig configures every room. Zero values mean the documented defaults.
type RoomConfig struct {
	// CleanupTimeout is how long an empty room lives on (its state survives
	// a quick rejoin). Zero means 30 s.
	CleanupTimeout time.Duration
	// DocumentCleanupTimeout replaces CleanupTimeout when the last
	// connection to leave was a y-websocket one. Zero means 60 s.
	DocumentCleanupTimeout time.Duration
	// MaxConnections caps a room's connections (offline ones not yet
	// removed included); further upgrades get 503. Zero means unlimited.
	MaxConnections int
	// HeartbeatTimeout marks a connection offline when it sent no heartbeat
	// for this long. Zero means 45 s.
	HeartbeatTimeout time.Duration
	// HeartbeatInterval is the sweep period. Zero means 15 s.
	HeartbeatInterval time.Duration
	// OfflineRemoval removes a connection this long after it went offline.
	// Zero means 30 s.
	OfflineRemoval time.Duration
	// PresenceInterval is the minimum gap between two presence broadcasts
	// of a room; changes in between are coalesced into one list. It grows
	// with the room size (plus 50 µs per member). Zero means 20 ms.
	PresenceInterval time.Duration
	// InitialStorageTimeout bounds Hooks.InitialStorage. Zero means 10 s.
	InitialStorageTimeout time.Duration
}

func (c RoomConfig) withDefaults() RoomConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.CleanupTimeout, 30*time.Second)
	def(&c.DocumentCleanupTimeout, 60*time.Second)
	def(&c.HeartbeatTimeout, 45*time.Second)
	def(&c.HeartbeatInterval, 15*time.Second)
	def(&c.OfflineRemoval, 30*time.Second)
	def(&c.PresenceInterval, 20*time.Millisecond)
	def(&c.InitialStorageTimeout, 10*time.Second)
	return c
}

// Hooks are the user's callbacks. Each runs on the room's hook actor, off
// the room's goroutine, in the order the events happened in that room; a
// panic in a hook is recovered and logged.
type Hooks struct {
	OnJoin    func(ctx context.Context, roomID string, u User)
	OnLeave   func(ctx context.Context, roomID string, u User)
	OnMessage func(ctx context.Context, roomID, senderUserID string, msg json.RawMessage)
	// OnStorageChange gets every storage change: client ops, client-seeded
	// inits and MutateStorage.
	OnStorageChange func(ctx context.Context, roomID string, change StorageChange)
	// InitialStorage loads a room's storage root (SerializedCrdt JSON; nil
	// or "null" for none) once per room life, bounded by
	// RoomConfig.InitialStorageTimeout; an error or a timeout means none.
	// It runs on its own goroutine, never on the room's.
	InitialStorage func(ctx context.Context, roomID string) (json.RawMessage, error)
	// OnYjsChange gets every Yjs update the room applied (from yjs:*
	// messages, y-websocket clients and REST writes).
	OnYjsChange func(ctx context.Context, roomID string, update []byte)
	// InitialYjs loads a room's Yjs document (a V1 update; nil for none)
	// with the same rules as InitialStorage (and in the same load).
	InitialYjs func(ctx context.Context, roomID string) ([]byte, error)
}

func (h *Hooks) any() bool {
	return h.OnJoin != nil || h.OnLeave != nil || h.OnMessage != nil || h.OnStorageChange != nil || h.OnYjsChange != nil
}

// Config configures the actor system.
type Config struct {
	Rooms RoomConfig
	// MaxRooms caps live rooms per process; a join that would create one
	// more gets 503. Zero means unlimited.
	MaxRooms int
	// RateLimit is the per-connection inbound message rate (messages per
	// second, with a burst of RateBurst); over it the connection is closed
	// with 1008. Zero disables it.
	RateLimit float64
	// RateBurst is the token bucket size. Zero means max(1, RateLimit).
	RateBurst int
	Hooks     Hooks
	// Handlers maps custom message types to handler factories. A registered
	// type is delivered to its handler actor (one per room) instead of being
	// relayed; OnMessage is still called.
	Handlers map[string]HandlerFactory
	Logger   *slog.Logger
	Metrics  *Metrics
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time

	// Store persists rooms (nil: nothing persists). A room loads from it
	// when it is activated; Hooks.InitialStorage is only asked when the
	// store has nothing for the room, and its result is then stored.
	Store store.Store
	// FlushInterval is the longest a change waits before it is written.
	// Zero means 100 ms.
	FlushInterval time.Duration
	// SnapshotEvery folds the change log into a snapshot after this many
	// changes (and when a room stops). Zero means 1000.
	SnapshotEvery int

	persisters *sync.WaitGroup
	// shuttingDown is set when System.Shutdown begins: a session whose
	// room stops then closes with ReasonShutdown, not ReasonInternal.
	shuttingDown *atomic.Bool
}

// User is one presence entry (a connection) as hooks and SDK calls see it.
type User struct {
	ConnectionID uint64
	UserID       string
	DisplayName  string
	Color        string
	ConnectedAt  int64 // Unix ms
	// OnlineStatus is "online", "away", "offline" or whatever the client
	// sent (the JSON text when it was not a string).
	OnlineStatus string
	LastActiveAt int64
	IsIdle       bool
	Location     json.RawMessage
	Metadata     json.RawMessage
}

// RoomInfo describes a live room.
type RoomInfo struct {
	ID    string
	Size  int
	Users []User
}
