package actors

import (
	"bytes"
	"encoding/json"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/transport"
)

var (
	jsonOnline  = []byte(`"online"`)
	jsonOffline = []byte(`"offline"`)
	jsonFalse   = []byte(`false`)
)

// member is one connection in a room: the join-time user object plus the
// connection state the reference overlays on it. Owned by the room actor.
type member struct {
	conn    *transport.Conn
	session *actor.PID
	connID  uint64
	binary  bool
	yws     bool // a y-websocket connection: no presence, binary y-protocols frames

	// awareIDs are the awareness client ids this (y-websocket) connection
	// set a state for: removed when it leaves.
	awareIDs map[uint64]struct{}

	userID, displayName, color string
	connectedAt                int64

	onlineStatus  []byte // raw JSON
	isIdle        []byte // raw JSON
	location      []byte // raw JSON, nil = unset
	metadata      []byte // raw JSON, nil = unset
	lastActiveAt  int64
	lastHeartbeat int64
	offlineSince  int64 // 0 = unset

	// pending is true from join until the member's first presence list is
	// queued; until then it gets no broadcasts (its initial messages, sent
	// right after that list, carry the state it would have missed).
	pending bool
	// entry caches the encoded presence entry; nil when stale.
	entry []byte
}

func newMember(j *join, now int64) *member {
	id := j.identity
	uid := id.UserID
	if uid == "" {
		uid = connectionUUID(j.conn.ID())
	}
	name := id.DisplayName
	if name == "" {
		name = "Anonymous"
	}
	return &member{
		conn: j.conn, session: j.session, connID: j.conn.ID(), binary: j.binary, yws: j.yws,
		userID: uid, displayName: name, color: colorFor(uid), connectedAt: now,
		onlineStatus: jsonOnline, isIdle: jsonFalse, lastActiveAt: now, lastHeartbeat: now,
		pending: true,
	}
}

func (m *member) offline() bool { return bytes.Equal(bytes.TrimSpace(m.onlineStatus), jsonOffline) }

func (m *member) encodedEntry() []byte {
	if m.entry == nil {
		// Sized for the entry: its keys and numbers take ~150 bytes.
		size := 150 + len(m.userID) + len(m.displayName) + len(m.color) + len(m.onlineStatus) +
			len(m.isIdle) + len(m.location) + len(m.metadata)
		m.entry = codec.AppendPresenceEntry(make([]byte, 0, size), &codec.PresenceEntry{
			UserID: m.userID, DisplayName: m.displayName, Color: m.color, ConnectedAt: m.connectedAt,
			OnlineStatus: m.onlineStatus, LastActiveAt: m.lastActiveAt, IsIdle: m.isIdle,
			Location: m.location, Metadata: m.metadata,
		})
	}
	return m.entry
}

func (m *member) user() User {
	u := User{
		ConnectionID: m.connID, UserID: m.userID, DisplayName: m.displayName, Color: m.color,
		ConnectedAt: m.connectedAt, LastActiveAt: m.lastActiveAt,
		IsIdle:   bytes.Equal(bytes.TrimSpace(m.isIdle), []byte("true")),
		Location: cloneRaw(m.location), Metadata: cloneRaw(m.metadata),
	}
	var s string
	if json.Unmarshal(m.onlineStatus, &s) == nil {
		u.OnlineStatus = s
	} else {
		u.OnlineStatus = string(m.onlineStatus)
	}
	return u
}

func cloneRaw(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage(nil), b...)
}

// connectionUUID gives a connection without a userId a stable, unique,
// UUID-shaped id (the reference uses a random v4 UUID).
func connectionUUID(connID uint64) string {
	const hex = "0123456789abcdef"
	var b [36]byte
	var raw [16]byte
	x := connID*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for i := 0; i < 16; i++ {
		x ^= x >> 29
		x *= 0xbf58476d1ce4e5b9
		raw[i] = byte(x >> 56)
	}
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	j := 0
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[raw[i]>>4], hex[raw[i]&0xf]
		j += 2
	}
	return string(b[:])
}
