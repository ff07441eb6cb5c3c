package codec

import (
	"encoding/base64"
	"strconv"
)

// PresenceEntry is one user of a presence list, as the reference's getUsers
// builds it: the join-time user object overlaid with the connection state.
// Raw JSON fields hold whatever the client last sent (presence:update values
// are not type-checked); a nil Location or Metadata is left out.
type PresenceEntry struct {
	UserID       string
	DisplayName  string
	Color        string
	ConnectedAt  int64
	OnlineStatus []byte // raw JSON, `"online"` by default
	LastActiveAt int64
	IsIdle       []byte // raw JSON, `false` by default
	Location     []byte
	Metadata     []byte
}

// AppendPresenceEntry appends one user object with the reference key order:
// userId, displayName, color, connectedAt, onlineStatus, lastActiveAt, isIdle,
// then location and metadata when set.
func AppendPresenceEntry(dst []byte, u *PresenceEntry) []byte {
	dst = append(dst, `{"userId":`...)
	dst = AppendString(dst, u.UserID)
	dst = append(dst, `,"displayName":`...)
	dst = AppendString(dst, u.DisplayName)
	dst = append(dst, `,"color":`...)
	dst = AppendString(dst, u.Color)
	dst = append(dst, `,"connectedAt":`...)
	dst = strconv.AppendInt(dst, u.ConnectedAt, 10)
	dst = append(dst, `,"onlineStatus":`...)
	dst = appendRawOr(dst, u.OnlineStatus, `"online"`)
	dst = append(dst, `,"lastActiveAt":`...)
	dst = strconv.AppendInt(dst, u.LastActiveAt, 10)
	dst = append(dst, `,"isIdle":`...)
	dst = appendRawOr(dst, u.IsIdle, `false`)
	if u.Location != nil {
		dst = append(dst, `,"location":`...)
		dst = append(dst, u.Location...)
	}
	if u.Metadata != nil {
		dst = append(dst, `,"metadata":`...)
		dst = append(dst, u.Metadata...)
	}
	return append(dst, '}')
}

// AppendPresenceHeader and AppendPresenceFooter bracket a presence message
// whose entries are appended (comma-separated) in between, so a room can keep
// pre-encoded entries and splice them without re-encoding.
func AppendPresenceHeader(dst []byte) []byte { return append(dst, `{"type":"presence","users":[`...) }

// AppendPresenceFooter closes a message opened by AppendPresenceHeader.
func AppendPresenceFooter(dst []byte) []byte { return append(dst, "]}"...) }

// AppendPresence appends {"type":"presence","users":[...]}.
func AppendPresence(dst []byte, users []PresenceEntry) []byte {
	dst = AppendPresenceHeader(dst)
	for i := range users {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendPresenceEntry(dst, &users[i])
	}
	return AppendPresenceFooter(dst)
}

// AppendCursor appends the relayed cursor:update for a sender:
// {"type":"cursor:update","cursor":{userId,displayName,color,x,y,lastUpdate,
// [viewportPos],[viewportScale],[cursorType],[highlightRect],[space]}}.
func AppendCursor(dst []byte, userID, displayName, color string, c *Cursor, now int64) []byte {
	dst = append(dst, `{"type":"cursor:update","cursor":{"userId":`...)
	dst = AppendString(dst, userID)
	dst = append(dst, `,"displayName":`...)
	dst = AppendString(dst, displayName)
	dst = append(dst, `,"color":`...)
	dst = AppendString(dst, color)
	dst = append(dst, `,"x":`...)
	dst = AppendNumber(dst, c.X)
	dst = append(dst, `,"y":`...)
	dst = AppendNumber(dst, c.Y)
	dst = append(dst, `,"lastUpdate":`...)
	dst = strconv.AppendInt(dst, now, 10)
	if c.ViewportPos != nil {
		dst = append(dst, `,"viewportPos":`...)
		dst = append(dst, c.ViewportPos...)
	}
	if c.ViewportScale != nil {
		f, _ := finiteNumber(c.ViewportScale)
		dst = append(dst, `,"viewportScale":`...)
		dst = AppendNumber(dst, f)
	}
	if c.CursorType != "" {
		dst = append(dst, `,"cursorType":`...)
		dst = AppendString(dst, c.CursorType)
	}
	if c.HighlightRect != nil {
		dst = append(dst, `,"highlightRect":`...)
		dst = append(dst, c.HighlightRect...)
	}
	if c.Space != "" {
		dst = append(dst, `,"space":`...)
		dst = AppendString(dst, c.Space)
	}
	return append(dst, "}}"...)
}

// StateEntry is one live-state value as the room stores it.
type StateEntry struct {
	Key       string
	KeyRaw    []byte // the key as the client sent it; nil writes Key as a string
	Value     []byte // raw JSON; nil is undefined and left out
	Timestamp float64
	UserID    string
}

// AppendStateUpdate appends
// {"type":"state:update","key":…,"value":…,"timestamp":…,"userId":…}.
func AppendStateUpdate(dst []byte, e *StateEntry) []byte {
	dst = append(dst, `{"type":"state:update","key":`...)
	if e.KeyRaw != nil {
		dst = append(dst, e.KeyRaw...)
	} else {
		dst = AppendString(dst, e.Key)
	}
	if e.Value != nil {
		dst = append(dst, `,"value":`...)
		dst = append(dst, e.Value...)
	}
	dst = append(dst, `,"timestamp":`...)
	dst = AppendNumber(dst, e.Timestamp)
	dst = append(dst, `,"userId":`...)
	dst = AppendString(dst, e.UserID)
	return append(dst, '}')
}

// AppendStateInit appends {"type":"state:init","states":{key:{value,timestamp,userId},…}}
// with the entries in the given order.
func AppendStateInit(dst []byte, entries []*StateEntry) []byte {
	dst = append(dst, `{"type":"state:init","states":{`...)
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, e.Key)
		dst = append(dst, ':', '{')
		if e.Value != nil {
			dst = append(dst, `"value":`...)
			dst = append(dst, e.Value...)
			dst = append(dst, ',')
		}
		dst = append(dst, `"timestamp":`...)
		dst = AppendNumber(dst, e.Timestamp)
		dst = append(dst, `,"userId":`...)
		dst = AppendString(dst, e.UserID)
		dst = append(dst, '}')
	}
	return append(dst, "}}"...)
}

// AppendStorageInit appends {"type":"storage:init","root":<root>}; a nil root
// is written as null.
func AppendStorageInit(dst []byte, root []byte) []byte {
	dst = append(dst, `{"type":"storage:init","root":`...)
	dst = appendRawOr(dst, root, "null")
	return append(dst, '}')
}

// AppendStorageOpsHeader opens {"type":"storage:ops","ops":[ ; the caller
// appends the comma-separated ops and closes with AppendStorageOpsFooter.
func AppendStorageOpsHeader(dst []byte) []byte {
	return append(dst, `{"type":"storage:ops","ops":[`...)
}

// AppendStorageOpsFooter closes the ops array and writes the message clock.
func AppendStorageOpsFooter(dst []byte, clock int64) []byte {
	dst = append(dst, `],"clock":`...)
	dst = strconv.AppendInt(dst, clock, 10)
	return append(dst, '}')
}

// AppendYjsSyncStep2 appends {"type":"yjs:sync-step2","data":"<base64>"}.
func AppendYjsSyncStep2(dst []byte, update []byte) []byte {
	dst = append(dst, `{"type":"yjs:sync-step2","data":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, update)
	return append(dst, `"}`...)
}

// AppendYjsUpdate appends {"type":"yjs:update","data":"<base64>"}, used when
// an update from another transport reaches Lively clients.
func AppendYjsUpdate(dst []byte, update []byte) []byte {
	dst = append(dst, `{"type":"yjs:update","data":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, update)
	return append(dst, `"}`...)
}

func appendRawOr(dst, raw []byte, def string) []byte {
	if raw == nil {
		return append(dst, def...)
	}
	return append(dst, raw...)
}
