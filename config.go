package lively

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lively-actor/lively/actors"
	"github.com/lively-actor/lively/store"
)

// Re-exported actor types: what hooks, handlers and SDK calls see.
type (
	// Identity is who a connection is: from Config.Authenticate, or from
	// the userId / displayName query parameters when there is no auth.
	Identity = actors.Identity
	// User is a presence entry (one connection).
	User = actors.User
	// RoomConfig configures rooms (timeouts, limits).
	RoomConfig = actors.RoomConfig
	// RoomInfo describes a live room.
	RoomInfo = actors.RoomInfo
	// Handler handles one custom message type in one room, on its own actor.
	Handler = actors.Handler
	// HandlerFunc adapts a function to Handler.
	HandlerFunc = actors.HandlerFunc
	// HandlerFactory makes a room's Handler.
	HandlerFactory = actors.HandlerFactory
	// HandlerContext lets a Handler reply, broadcast or set live state.
	HandlerContext = actors.HandlerContext
	// CustomMessage is a custom client message delivered to a Handler.
	CustomMessage = actors.CustomMessage
	// StorageChange is what OnStorageChange receives.
	StorageChange = actors.StorageChange
)

// Version is the server version reported by discovery and OpenAPI.
const Version = "0.1.0"

// Config configures a Server. Every field is optional; the zero value of each
// means the default in its comment.
type Config struct {
	// Path is the WebSocket prefix: clients connect to {Path}/{roomId}.
	// Default "/rooms".
	Path string
	// HealthPath answers GET with {"status":"ok"}. Default "/health".
	HealthPath string
	// MetricsPath serves Prometheus metrics. Default "/metrics"; "-" turns
	// it off.
	MetricsPath string
	// StaticDir, when set, serves files for GET/HEAD (reference rules).
	StaticDir string
	// Fallback handles plain HTTP requests nothing else matched. Default:
	// 426 Upgrade required.
	Fallback http.Handler

	// Authenticate identifies an upgrade request; an error rejects it with
	// 401. When nil and JWTSecret is set, an HS256 JWT is required (query
	// parameter "token" or "Authorization: Bearer"; claims sub → userId,
	// name → displayName). When both are unset, the identity comes from the
	// userId and displayName query parameters.
	Authenticate func(r *http.Request) (Identity, error)
	// JWTSecret is the HS256 key for the built-in JWT authentication.
	JWTSecret []byte

	// Rooms configures every room (cleanup grace, max connections,
	// heartbeat timeout and sweep interval, offline removal, presence
	// coalescing).
	Rooms RoomConfig
	// MaxRooms caps live rooms; further new rooms get 503. Default
	// unlimited.
	MaxRooms int
	// MaxRoomIDBytes caps the (escaped) room id. Default 256.
	MaxRoomIDBytes int
	// MaxMessageBytes caps one inbound message; bigger ones close the
	// connection with 1009. Default 1 MiB.
	MaxMessageBytes int
	// OutboxMaxBytes caps the bytes queued for one connection; a client
	// that does not read is closed with 1008 "slow consumer". Default 1 MiB.
	OutboxMaxBytes int
	// WriteTimeout bounds one batched socket write. Default 10 s.
	WriteTimeout time.Duration
	// GoroutineReaders reads each connection on a goroutine of its own
	// instead of on the shared epoll readers (Linux). The epoll readers
	// keep no goroutine and no read buffer per idle connection; goroutine
	// readers cost ~5 KB more per connection but hand each connection's
	// reads to the Go scheduler. Other systems always use goroutines.
	GoroutineReaders bool
	// RateLimit is a per-connection inbound message rate (msg/s, burst
	// RateBurst); over it the connection is closed with 1008. Default off.
	RateLimit float64
	// RateBurst is the rate limiter's burst. Default max(1, RateLimit).
	RateBurst int

	// OnJoin is called after a connection joined a room.
	OnJoin func(ctx context.Context, roomID string, u User)
	// OnLeave is called once after a connection left (closed, evicted or
	// removed by the heartbeat sweep).
	OnLeave func(ctx context.Context, roomID string, u User)
	// OnMessage is called for every custom message, before it is relayed.
	OnMessage func(ctx context.Context, roomID, senderUserID string, msg json.RawMessage)
	// OnStorageChange is called after every storage change (client ops,
	// client-seeded storage:init, MutateStorage), in order per room.
	OnStorageChange func(ctx context.Context, roomID string, change StorageChange)
	// InitialStorage loads a room's storage root (SerializedCrdt JSON; nil or
	// "null" for none) once per room life, off the room's goroutine, bounded
	// by Rooms.InitialStorageTimeout (default 10 s). An error or a timeout
	// means no storage (root:null). Joiners wait for it and each get exactly
	// one storage:init.
	InitialStorage func(ctx context.Context, roomID string) (json.RawMessage, error)
	// OnYjsChange is called with every Yjs update a room applied (Lively
	// yjs:update / yjs:sync-step2, y-websocket updates), in order per room.
	OnYjsChange func(ctx context.Context, roomID string, update []byte)
	// InitialYjs loads a room's Yjs document (one V1 update; nil for none),
	// with the same rules as InitialStorage and in the same load.
	InitialYjs func(ctx context.Context, roomID string) ([]byte, error)
	// PingInterval is the WebSocket ping period of y-websocket connections;
	// one whose pong did not come back by the next ping is closed. Default
	// 30 s.
	PingInterval time.Duration
	// Handlers registers custom message actors by message type: a
	// registered type goes to its handler (one actor per room) instead of
	// being relayed to the room.
	Handlers map[string]HandlerFactory

	// Store persists rooms (storage documents; see package store): nil
	// means nothing persists. A room loads from the store when it is
	// activated; InitialStorage is only called when the store has nothing
	// for the room, and its result is then written to the store (the store
	// is a cache in front of the hook). Live state and presence are never
	// stored.
	Store store.Store
	// FlushInterval is the longest a change waits before it is written to
	// the Store (changes in between are written together). Default 100 ms.
	FlushInterval time.Duration
	// SnapshotEvery folds the stored change log into a snapshot after this
	// many changes, and whenever a room stops. Default 1000.
	SnapshotEvery int

	// AdminToken enables the admin API (/admin/...: rooms, users, broadcast,
	// live state, storage snapshot and ops) for requests bearing
	// "Authorization: Bearer <AdminToken>". Empty: the admin routes do not
	// exist (404).
	AdminToken string
	// MaxBodyBytes limits REST request bodies (413 beyond). Default 1 MiB.
	MaxBodyBytes int64
	// TableSchemas are optional JSON Schemas of table rows, keyed "<table>"
	// or "<workspace>/<table>": writes that do not validate get 422, and the
	// schemas appear in the OpenAPI document.
	TableSchemas map[string]json.RawMessage
	// SchemaFile is a JSON file {"tables": {"<table>": <JSON Schema>}} read
	// at New, with the same keys as TableSchemas.
	SchemaFile string

	// Logger receives structured logs (keys room, conn, user, reason, err).
	// Default: discard.
	Logger *slog.Logger
	// Registerer receives the Prometheus collectors. Default: a private
	// registry (with Go and process collectors) served at MetricsPath. If
	// it is also a prometheus.Gatherer it is served at MetricsPath.
	Registerer prometheus.Registerer
}
