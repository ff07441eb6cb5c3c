package actors

import (
	"encoding/json"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/transport"
)

// registryMsg is the closed set of messages the registry accepts.
type registryMsg interface{ isRegistryMsg() }

// roomMsg is the closed set of messages a room accepts.
type roomMsg interface{ isRoomMsg() }

// sessionMsg is the closed set of messages a session accepts.
type sessionMsg interface{ isSessionMsg() }

// Identity is who a connection is, from the auth hook or query parameters.
type Identity struct {
	UserID      string
	DisplayName string
}

// --- registry messages ---

// admit asks the registry (then the room) for a place in a room. Reply:
// *admitResult.
type admit struct {
	roomID string
}

// admitResult answers admit.
type admitResult struct {
	room *actor.PID
	err  error
}

// roomEmpty tells the registry a room has no members left.
type roomEmpty struct {
	roomID  string
	docOnly bool // the last connection was a y-websocket one: document-room grace
	room    *actor.PID
	admits  uint64 // admissions the room had seen when it became empty
}

// cleanupDue fires when a room's grace period is over.
type cleanupDue struct {
	roomID string
	gen    uint64
}

// sweepDue fires every heartbeat interval.
type sweepDue struct{}

// forward routes an SDK request to a room; the registry replies
// *RoomReply{Err: ErrNoRoom} itself when the room does not exist.
type forward struct {
	roomID   string
	msg      roomMsg
	activate bool // start the room (loading it from the store) when it is not live
}

// listRooms asks for every live room. Reply: *roomList.
type listRooms struct{}

type roomList struct {
	rooms []roomRef
}

type roomRef struct {
	id  string
	pid *actor.PID
}

func (*admit) isRegistryMsg()      {}
func (*roomEmpty) isRegistryMsg()  {}
func (*cleanupDue) isRegistryMsg() {}
func (*sweepDue) isRegistryMsg()   {}
func (*forward) isRegistryMsg()    {}
func (*listRooms) isRegistryMsg()  {}

// --- room messages ---

// admitRoom reserves a place (registry → room, replied to the asker).
type admitRoom struct{}

// roomFailed tells the registry that a room failed: the registry forgets it
// (so the next admission starts a new one) and then poisons it, so that
// everything already queued to it is answered first.
type roomFailed struct {
	roomID string
	room   *actor.PID
}

// cancelAdmit releases a reservation whose handshake failed.
type cancelAdmit struct{}

// join adds a connection to the room (sent by the connection before any of
// its inbound messages, so it is ordered first).
type join struct {
	conn     *transport.Conn
	session  *actor.PID
	identity Identity
	binary   bool
	yws      bool // y-websocket endpoint
}

// leave removes a connection (sent after its last inbound message).
type leave struct {
	connID uint64
	reason transport.CloseReason
}

// inbound is one decoded client message.
type inbound struct {
	connID uint64
	msg    *codec.Inbound
}

// sweep runs the heartbeat sweep at now.
type sweep struct {
	now time.Time
}

// presenceFlush sends the coalesced presence list.
type presenceFlush struct{}

// handlerOut is something a custom handler actor asks the room to send.
type handlerOut struct {
	data      []byte // JSON text
	toConn    uint64 // reply to one connection when non-zero
	exclude   uint64 // broadcast excluding this connection when non-zero
	broadcast bool
}

// BroadcastRequest sends raw data to the room's open connections, skipping
// excluded connection ids. Reply: *RoomReply.
type BroadcastRequest struct {
	Data    []byte
	Exclude []uint64
}

// SetLiveStateRequest sets a live-state key as "__server__". Reply:
// *RoomReply with Accepted.
type SetLiveStateRequest struct {
	Key   string
	Value json.RawMessage
}

// UsersRequest asks for the room's presence entries. Reply: *RoomReply with
// Users.
type UsersRequest struct{}

// RoomReply answers the SDK requests.
type RoomReply struct {
	Err      error
	Accepted bool
	Users    []User
	Snapshot json.RawMessage
	Size     int // connections, y-websocket ones included
}

func (*admitRoom) isRoomMsg()           {}
func (*cancelAdmit) isRoomMsg()         {}
func (*join) isRoomMsg()                {}
func (*leave) isRoomMsg()               {}
func (*inbound) isRoomMsg()             {}
func (*sweep) isRoomMsg()               {}
func (*presenceFlush) isRoomMsg()       {}
func (*handlerOut) isRoomMsg()          {}
func (*BroadcastRequest) isRoomMsg()    {}
func (*SetLiveStateRequest) isRoomMsg() {}
func (*UsersRequest) isRoomMsg()        {}

// --- session messages ---

// kick closes the session's connection with a reason.
type kick struct {
	reason transport.CloseReason
}

// closed tells the session its connection ended.
type closed struct{}

func (*kick) isSessionMsg()   {}
func (*closed) isSessionMsg() {}
