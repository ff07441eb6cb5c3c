package rest

import (
	"context"
	"encoding/json"

	"github.com/lively-actor/lively/crdt/yjs"
)

// TableBackend gives the handler access to the workspaces' Yjs documents. The server implements it
// on its room actors; NewMemoryBackend is an implementation for tests and embedding.
type TableBackend interface {
	// Workspaces lists the workspaces (rooms) that are live or persisted, for discovery.
	Workspaces(ctx context.Context) ([]string, error)

	// Exec runs one table or KV operation on the Yjs document of workspace ws and returns its JSON
	// result. The implementation must run it as ONE message to the actor that owns the document
	// (loading the room from the store first, as a connecting client would), which then:
	//
	//  1. calls result, update, err := op.Apply(doc, clientID, nowMillis) with a 53-bit client id
	//     that no other replica uses (a fresh random id per room incarnation, like a yjs client)
	//     and the wall clock in Unix ms;
	//  2. if update != nil, handles it exactly like an update received from a client: broadcast
	//     it to every y-websocket connection ([0, 2, update]) and every Lively yjs:* connection of
	//     the room, and persist it;
	//  3. replies with result and err unchanged (err wraps yjs.ErrNotFound for a missing row or key,
	//     or is what op.Check returned, such as a *ValidationError).
	//
	// Reads (op.Kind.Writes() == false) never produce an update. A read of a workspace that does
	// not exist may run on an empty document, or fail with ErrNotFound (404). Exec must give up
	// when ctx is done (the handler answers 503 for context errors).
	Exec(ctx context.Context, ws string, op *yjs.TableOp) (json.RawMessage, error)
}

// AdminBackend is what the admin API calls: the server SDK functions (lively.Server's
// Rooms, RoomUsers, BroadcastToRoom, SetLiveState, StorageSnapshot, MutateStorage), each one
// message to the room actor. A room that does not exist is an error wrapping ErrNotFound.
type AdminBackend interface {
	// Rooms lists the live rooms with their sizes and users.
	Rooms(ctx context.Context) ([]RoomInfo, error)
	// RoomUsers returns the presence entries of a room.
	RoomUsers(ctx context.Context, room string) ([]User, error)
	// Broadcast sends data (one JSON text message, as is) to every connection of the room except
	// the excluded connection ids.
	Broadcast(ctx context.Context, room string, data []byte, exclude []uint64) error
	// SetLiveState sets a live-state key as user "__server__" with timestamp now and broadcasts
	// it; it reports whether the value was accepted (a client may hold a newer timestamp).
	SetLiveState(ctx context.Context, room, key string, value json.RawMessage) (accepted bool, err error)
	// StorageSnapshot returns the room's serialized storage root, or nil when the storage is not
	// initialized.
	StorageSnapshot(ctx context.Context, room string) (json.RawMessage, error)
	// ApplyStorageOps applies ops in one MutateStorage call (all or nothing): typically
	// server.MutateStorage(ctx, room, ops.Apply). A room without initialized storage is an error
	// wrapping ErrConflict; ops that do not fit the document fail with the error of ops.Apply
	// (wrapping ErrBadRequest).
	ApplyStorageOps(ctx context.Context, room string, ops StorageOps) error
}

// RoomInfo describes a live room.
type RoomInfo struct {
	ID    string `json:"id"`
	Size  int    `json:"size"`
	Users []User `json:"users"`
}

// User is one presence entry of a room, as Lively clients see it, plus the connection id that
// Broadcast can exclude.
type User struct {
	ConnectionID uint64          `json:"connectionId"`
	UserID       string          `json:"userId"`
	DisplayName  string          `json:"displayName"`
	Color        string          `json:"color"`
	ConnectedAt  int64           `json:"connectedAt"`
	OnlineStatus string          `json:"onlineStatus"`
	LastActiveAt int64           `json:"lastActiveAt"`
	IsIdle       bool            `json:"isIdle"`
	Location     json.RawMessage `json:"location,omitempty"`
	Metadata     json.RawMessage `json:"metadata,omitempty"`
}
