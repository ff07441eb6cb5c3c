package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Kind tags the typed inbound messages a Lively client may send
// (PROTOCOL.md B.1.6). Anything the server does not interpret is KindCustom.
type Kind uint8

// Inbound message kinds.
const (
	KindCustom Kind = iota
	KindHeartbeat
	KindPresenceUpdate
	KindCursorUpdate
	KindStateUpdate
	KindStorageInit
	KindStorageOps
	KindYjsUpdate
	KindYjsSyncStep1
	KindYjsSyncStep2
	KindYjsAwareness
	numKinds
)

var kindNames = [numKinds]string{
	KindCustom:         "custom",
	KindHeartbeat:      "heartbeat",
	KindPresenceUpdate: "presence:update",
	KindCursorUpdate:   "cursor:update",
	KindStateUpdate:    "state:update",
	KindStorageInit:    "storage:init",
	KindStorageOps:     "storage:ops",
	KindYjsUpdate:      "yjs:update",
	KindYjsSyncStep1:   "yjs:sync-step1",
	KindYjsSyncStep2:   "yjs:sync-step2",
	KindYjsAwareness:   "yjs:awareness",
}

// String returns the wire type name ("custom" for custom messages). The set is
// closed, so it is safe as a metric label.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

func kindOf(t string) Kind {
	switch t {
	case "heartbeat":
		return KindHeartbeat
	case "presence:update":
		return KindPresenceUpdate
	case "cursor:update":
		return KindCursorUpdate
	case "state:update":
		return KindStateUpdate
	case "storage:init":
		return KindStorageInit
	case "storage:ops":
		return KindStorageOps
	case "yjs:update":
		return KindYjsUpdate
	case "yjs:sync-step1":
		return KindYjsSyncStep1
	case "yjs:sync-step2":
		return KindYjsSyncStep2
	case "yjs:awareness":
		return KindYjsAwareness
	}
	return KindCustom
}

// Inbound is one decoded client message. Only the fields of its Kind are set.
// Raw JSON fields alias the decoded frame; the frame must not be reused while
// the message is alive.
type Inbound struct {
	Kind Kind
	// Type is the message's "type" string (useful for custom messages).
	Type string
	// Raw is the whole message as JSON, exactly as received (or transcoded
	// from MessagePack): what relays forward.
	Raw []byte

	Presence PresenceUpdate
	Cursor   Cursor
	State    StateUpdate
	// Root is the raw JSON of storage:init's root ("null" or an object).
	Root []byte
	// Ops is the raw JSON array of storage:ops.
	Ops []byte
	// Data is the base64 text of yjs:update, yjs:sync-step1 and yjs:sync-step2.
	Data string
}

// PresenceUpdate holds the presence:update fields that were present (a nil
// slice means absent; JSON null is kept as "null", which overwrites).
type PresenceUpdate struct {
	OnlineStatus []byte
	IsIdle       []byte
	Location     []byte
	Metadata     []byte
}

// Cursor is a validated cursor:update. Optional fields that failed their own
// check are nil/empty and left out of the relay (PROTOCOL.md B.1.6).
type Cursor struct {
	X, Y          float64
	ViewportPos   []byte // original object, extra keys kept
	ViewportScale []byte // a JSON number, nil if absent or invalid
	CursorType    string // "", "default", "text" or "pointer"
	HighlightRect []byte // original object
	Space         string // "", "pixel" or "fraction"
}

// StateUpdate is a validated state:update.
type StateUpdate struct {
	Key       string  // the key as a JS property name
	KeyRaw    []byte  // the key as sent, echoed back
	Value     []byte  // raw JSON; nil means undefined (absent)
	Timestamp float64 // finite
	Merge     bool    // JS truthiness of "merge"
}

// envelope is the one-pass decode target: every field any inbound kind uses.
type envelope struct {
	Type          json.RawMessage `json:"type"`
	X             json.RawMessage `json:"x"`
	Y             json.RawMessage `json:"y"`
	ViewportPos   json.RawMessage `json:"viewportPos"`
	ViewportScale json.RawMessage `json:"viewportScale"`
	CursorType    json.RawMessage `json:"cursorType"`
	HighlightRect json.RawMessage `json:"highlightRect"`
	Space         json.RawMessage `json:"space"`
	Key           json.RawMessage `json:"key"`
	Value         json.RawMessage `json:"value"`
	Timestamp     json.RawMessage `json:"timestamp"`
	Merge         json.RawMessage `json:"merge"`
	Root          json.RawMessage `json:"root"`
	Ops           json.RawMessage `json:"ops"`
	Data          json.RawMessage `json:"data"`
	OnlineStatus  json.RawMessage `json:"onlineStatus"`
	IsIdle        json.RawMessage `json:"isIdle"`
	Location      json.RawMessage `json:"location"`
	Metadata      json.RawMessage `json:"metadata"`
}

// DecodeJSON decodes one Lively JSON message. It never panics; a message that
// fails validation returns an error wrapping one of the sentinels.
func DecodeJSON(data []byte) (*Inbound, error) {
	first := firstNonSpace(data)
	if first != '{' {
		if !json.Valid(data) {
			return nil, ErrInvalidJSON
		}
		return nil, ErrNotObject
	}
	var env envelope
	if err := scanEnvelope(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	t, ok := typeString(env.Type)
	if !ok {
		return nil, ErrNoType
	}
	m := &Inbound{Kind: kindOf(t), Type: t, Raw: data}
	switch m.Kind {
	case KindPresenceUpdate:
		m.Presence = PresenceUpdate{
			OnlineStatus: nilIfEmpty(env.OnlineStatus),
			IsIdle:       nilIfEmpty(env.IsIdle),
			Location:     nilIfEmpty(env.Location),
			Metadata:     nilIfEmpty(env.Metadata),
		}
	case KindCursorUpdate:
		return m, decodeCursor(&env, &m.Cursor)
	case KindStateUpdate:
		return m, decodeState(&env, &m.State)
	case KindStorageInit:
		switch firstNonSpace(env.Root) {
		case '{':
			m.Root = env.Root
		case 'n':
			m.Root = []byte("null")
		default:
			return nil, fmt.Errorf("%w: storage:init root must be null or an object", ErrInvalidField)
		}
	case KindStorageOps:
		if firstNonSpace(env.Ops) != '[' || isEmptyArray(env.Ops) {
			return nil, fmt.Errorf("%w: storage:ops needs a non-empty ops array", ErrInvalidField)
		}
		m.Ops = env.Ops
	case KindYjsUpdate, KindYjsSyncStep1, KindYjsSyncStep2:
		s, ok := jsonString(env.Data)
		if !ok {
			return nil, fmt.Errorf("%w: %s needs a string data", ErrInvalidField, t)
		}
		m.Data = s
	}
	return m, nil
}

func decodeCursor(env *envelope, c *Cursor) error {
	var ok bool
	if c.X, ok = finiteNumber(env.X); !ok {
		return fmt.Errorf("%w: cursor x", ErrInvalidField)
	}
	if c.Y, ok = finiteNumber(env.Y); !ok {
		return fmt.Errorf("%w: cursor y", ErrInvalidField)
	}
	if len(env.ViewportPos) > 0 && objectHasFinite(env.ViewportPos, "x", "y") {
		c.ViewportPos = env.ViewportPos
	}
	if _, ok := finiteNumber(env.ViewportScale); ok {
		c.ViewportScale = env.ViewportScale
	}
	switch s := plainString(env.CursorType); string(s) {
	case "default":
		c.CursorType = "default"
	case "text":
		c.CursorType = "text"
	case "pointer":
		c.CursorType = "pointer"
	}
	if len(env.HighlightRect) > 0 && validRect(env.HighlightRect) {
		c.HighlightRect = env.HighlightRect
	}
	switch s := plainString(env.Space); string(s) {
	case "pixel":
		c.Space = "pixel"
	case "fraction":
		c.Space = "fraction"
	}
	return nil
}

func decodeState(env *envelope, s *StateUpdate) error {
	key, ok := jsKey(env.Key)
	if !ok {
		return fmt.Errorf("%w: state:update key", ErrInvalidField)
	}
	ts, ok := finiteNumber(env.Timestamp)
	if !ok {
		return fmt.Errorf("%w: state:update timestamp", ErrInvalidField)
	}
	s.Key, s.KeyRaw, s.Timestamp = key, env.Key, ts
	s.Value = nilIfEmpty(env.Value)
	s.Merge = truthy(env.Merge)
	return nil
}

// jsKey accepts the truthy keys that have an unambiguous property name: a
// non-empty string, a non-zero finite number, or true.
func jsKey(raw []byte) (string, bool) {
	switch firstNonSpace(raw) {
	case '"':
		s, ok := jsonString(raw)
		return s, ok && s != ""
	case 't':
		return "true", bytes.Equal(bytes.TrimSpace(raw), []byte("true"))
	case 'n', 'f', '{', '[', 0:
		return "", false
	}
	f, ok := finiteNumber(raw)
	if !ok || f == 0 {
		return "", false
	}
	return string(AppendNumber(nil, f)), true
}

// truthy reports JavaScript truthiness of a raw JSON value (absent is false).
func truthy(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case 'n', 'f':
		return false
	case 't', '{', '[':
		return true
	case '"':
		return len(raw) > 2
	}
	f, ok := finiteNumber(raw)
	return ok && f != 0
}

func finiteNumber(raw []byte) (float64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// plainString returns the contents of a JSON string without escapes (nil
// for anything else): enough to compare with a known name without
// allocating.
func plainString(raw []byte) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw[1:len(raw)-1], '\\') >= 0 {
		return nil
	}
	return raw[1 : len(raw)-1]
}

// typeString is jsonString for the "type" member: the known message types
// come back as constants, without allocating.
func typeString(raw []byte) (string, bool) {
	if p := plainString(raw); p != nil {
		if k := kindOf(string(p)); k != KindCustom {
			return kindNames[k], true
		}
	}
	return jsonString(raw)
}

func jsonString(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func objectHasFinite(raw []byte, keys ...string) bool {
	return objectFinite(raw, keys, nil)
}

var rectKeys = []string{"left", "top", "width", "height"}

func validRect(raw []byte) bool {
	var v [4]float64
	return objectFinite(raw, rectKeys, v[:]) && v[2] >= 0 && v[3] >= 0
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

func isEmptyArray(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '[' {
		return false
	}
	return firstNonSpace(raw[1:]) == ']'
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
