package codec

// This file is the y-websocket binary codec (PROTOCOL.md C.2): one binary WebSocket message is
// varUint messageType followed by a type-specific payload, all lib0-encoded. Decoded payloads are
// copies, so the caller may reuse its read buffer.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// y-websocket message types.
const (
	YTypeSync           = 0
	YTypeAwareness      = 1
	YTypeAuth           = 2
	YTypeQueryAwareness = 3
	YTypeSyncStatus     = 102
)

// YSyncSub is the sub-type of a sync message.
type YSyncSub uint8

// Sync sub-types.
const (
	YSyncStep1  YSyncSub = 0 // payload: the sender's encoded state vector
	YSyncStep2  YSyncSub = 1 // payload: V1 update, the diff against the receiver's state vector
	YSyncUpdate YSyncSub = 2 // payload: incremental V1 update
)

// String names the sub-type.
func (s YSyncSub) String() string {
	switch s {
	case YSyncStep1:
		return "step1"
	case YSyncStep2:
		return "step2"
	case YSyncUpdate:
		return "update"
	}
	return fmt.Sprintf("sync(%d)", uint8(s))
}

// Sentinel errors of the y-websocket codec.
var (
	// ErrYwsUnknownType means the message type (or sync sub-type) is not one we know; the
	// caller ignores such messages (C.3). The error is a *YwsUnknownTypeError.
	ErrYwsUnknownType = errors.New("codec: unknown y-websocket message type")
	// ErrYwsMalformed means the frame is truncated or otherwise not a valid message.
	ErrYwsMalformed = errors.New("codec: malformed y-websocket message")
)

// YwsUnknownTypeError reports an unknown message type or sync sub-type.
type YwsUnknownTypeError struct {
	Type uint64 // outer message type
	Sub  uint64 // sync sub-type (only when Type is YTypeSync)
}

func (e *YwsUnknownTypeError) Error() string {
	if e.Type == YTypeSync {
		return fmt.Sprintf("codec: unknown y-websocket sync message type %d", e.Sub)
	}
	return fmt.Sprintf("codec: unknown y-websocket message type %d", e.Type)
}

// Unwrap makes errors.Is(err, ErrYwsUnknownType) true.
func (e *YwsUnknownTypeError) Unwrap() error { return ErrYwsUnknownType }

// YMessage is a decoded y-websocket message: *YMsgSync, *YMsgAwareness, *YMsgAuth,
// *YMsgQueryAwareness or *YMsgSyncStatus.
type YMessage interface{ isYMessage() }

// YMsgSync is a sync protocol message.
type YMsgSync struct {
	Sub     YSyncSub
	Payload []byte
}

// YMsgAwareness carries an encoded awareness update (see DecodeAwarenessUpdate).
type YMsgAwareness struct {
	Update []byte
}

// YMsgAuth is an auth message. Type 0 is "permission denied" with a reason; y-protocols ignores
// other types, and their payload is not read.
type YMsgAuth struct {
	Type   uint64
	Reason string
}

// YMsgQueryAwareness asks the server for all awareness states.
type YMsgQueryAwareness struct{}

// YMsgSyncStatus is Epicenter's sync-status message, echoed back unchanged.
type YMsgSyncStatus struct {
	Payload []byte
}

func (*YMsgSync) isYMessage()           {}
func (*YMsgAwareness) isYMessage()      {}
func (*YMsgAuth) isYMessage()           {}
func (*YMsgQueryAwareness) isYMessage() {}
func (*YMsgSyncStatus) isYMessage()     {}

// ywsReader reads lib0 values with bounds checks.
type ywsReader struct {
	b   []byte
	pos int
}

func (r *ywsReader) varUint() (uint64, error) {
	var num uint64
	var shift uint
	for r.pos < len(r.b) {
		c := r.b[r.pos]
		r.pos++
		bits := uint64(c & 0x7f)
		if bits != 0 {
			if shift >= 64 || (shift > 57 && bits>>(64-shift) != 0) {
				return 0, fmt.Errorf("%w: varUint overflows 64 bits", ErrYwsMalformed)
			}
			num |= bits << shift
		}
		if c < 0x80 {
			return num, nil
		}
		shift += 7
	}
	return 0, fmt.Errorf("%w: truncated varUint", ErrYwsMalformed)
}

// varBytes reads a varUint8Array and returns a copy.
func (r *ywsReader) varBytes() ([]byte, error) {
	n, err := r.varUint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.b)-r.pos) {
		return nil, fmt.Errorf("%w: length %d exceeds the %d remaining bytes", ErrYwsMalformed, n, len(r.b)-r.pos)
	}
	out := bytes.Clone(r.b[r.pos : r.pos+int(n)])
	if out == nil {
		out = []byte{}
	}
	r.pos += int(n)
	return out, nil
}

// varString reads a varString; invalid UTF-8 is an error (lib0 decodes with a fatal TextDecoder).
func (r *ywsReader) varString() (string, error) {
	b, err := r.varBytes()
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: string is not valid UTF-8", ErrYwsMalformed)
	}
	return string(b), nil
}

// DecodeYMessage decodes one y-websocket binary message. Bytes after the message are ignored,
// like y-protocols does. An unknown type gives a *YwsUnknownTypeError (errors.Is
// ErrYwsUnknownType); the caller ignores the message.
func DecodeYMessage(b []byte) (YMessage, error) {
	r := &ywsReader{b: b}
	typ, err := r.varUint()
	if err != nil {
		return nil, err
	}
	switch typ {
	case YTypeSync:
		sub, err := r.varUint()
		if err != nil {
			return nil, err
		}
		if sub > uint64(YSyncUpdate) {
			return nil, &YwsUnknownTypeError{Type: typ, Sub: sub}
		}
		p, err := r.varBytes()
		if err != nil {
			return nil, err
		}
		return &YMsgSync{Sub: YSyncSub(sub), Payload: p}, nil
	case YTypeAwareness:
		p, err := r.varBytes()
		if err != nil {
			return nil, err
		}
		return &YMsgAwareness{Update: p}, nil
	case YTypeAuth:
		t, err := r.varUint()
		if err != nil {
			return nil, err
		}
		m := &YMsgAuth{Type: t}
		if t == 0 {
			if m.Reason, err = r.varString(); err != nil {
				return nil, err
			}
		}
		return m, nil
	case YTypeQueryAwareness:
		return &YMsgQueryAwareness{}, nil
	case YTypeSyncStatus:
		p, err := r.varBytes()
		if err != nil {
			return nil, err
		}
		return &YMsgSyncStatus{Payload: p}, nil
	}
	return nil, &YwsUnknownTypeError{Type: typ}
}

func appendYVarUint(dst []byte, v uint64) []byte {
	for v > 0x7f {
		dst = append(dst, 0x80|byte(v&0x7f))
		v >>= 7
	}
	return append(dst, byte(v))
}

func appendYVarBytes(dst, b []byte) []byte {
	dst = appendYVarUint(dst, uint64(len(b)))
	return append(dst, b...)
}

func appendYSync(dst []byte, sub YSyncSub, payload []byte) []byte {
	dst = append(dst, YTypeSync, byte(sub))
	return appendYVarBytes(dst, payload)
}

// AppendYSyncStep1 appends a SyncStep1 message carrying an encoded state vector.
func AppendYSyncStep1(dst, stateVector []byte) []byte {
	return appendYSync(dst, YSyncStep1, stateVector)
}

// AppendYSyncStep2 appends a SyncStep2 message carrying a V1 update.
func AppendYSyncStep2(dst, update []byte) []byte { return appendYSync(dst, YSyncStep2, update) }

// AppendYUpdate appends a sync Update message carrying a V1 update.
func AppendYUpdate(dst, update []byte) []byte { return appendYSync(dst, YSyncUpdate, update) }

// AppendYAwareness appends an awareness message carrying an encoded awareness update.
func AppendYAwareness(dst, update []byte) []byte {
	dst = append(dst, YTypeAwareness)
	return appendYVarBytes(dst, update)
}

// AppendYQueryAwareness appends a query-awareness message (client to server).
func AppendYQueryAwareness(dst []byte) []byte { return append(dst, YTypeQueryAwareness) }

// AppendYSyncStatus appends a sync-status message (type 102) with the given payload.
func AppendYSyncStatus(dst, payload []byte) []byte {
	dst = appendYVarUint(dst, YTypeSyncStatus)
	return appendYVarBytes(dst, payload)
}

// AppendYAuthDenied appends an auth "permission denied" message with a reason. Invalid UTF-8 in
// reason is replaced by U+FFFD so that the client can decode it.
func AppendYAuthDenied(dst []byte, reason string) []byte {
	dst = append(dst, YTypeAuth, 0)
	return appendYVarBytes(dst, []byte(toValidUTF8String(reason)))
}

func toValidUTF8String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(bytes.ToValidUTF8([]byte(s), []byte("\ufffd")))
}

// AwarenessEntry is one client's state in an awareness update.
type AwarenessEntry struct {
	ClientID uint64
	Clock    uint64
	State    []byte // raw JSON text of the state; "null" means the client was removed
}

// Removed reports whether the entry removes the client's state (JSON null).
func (e AwarenessEntry) Removed() bool {
	return string(bytes.TrimSpace(e.State)) == "null"
}

// DecodeAwarenessUpdate decodes an awareness update: varUint n, then n × (varUint clientID,
// varUint clock, varString JSON state). Each state must be valid JSON (y-protocols JSON.parses it).
func DecodeAwarenessUpdate(b []byte) ([]AwarenessEntry, error) {
	r := &ywsReader{b: b}
	n, err := r.varUint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(b)-r.pos)/3 {
		return nil, fmt.Errorf("%w: %d awareness entries in %d bytes", ErrYwsMalformed, n, len(b)-r.pos)
	}
	out := make([]AwarenessEntry, 0, n)
	for i := uint64(0); i < n; i++ {
		var e AwarenessEntry
		if e.ClientID, err = r.varUint(); err != nil {
			return nil, err
		}
		if e.Clock, err = r.varUint(); err != nil {
			return nil, err
		}
		if e.State, err = r.varBytes(); err != nil {
			return nil, err
		}
		if !utf8.Valid(e.State) || !json.Valid(e.State) {
			return nil, fmt.Errorf("%w: awareness state of client %d is not valid JSON", ErrYwsMalformed, e.ClientID)
		}
		out = append(out, e)
	}
	return out, nil
}

// AppendAwarenessUpdate appends an encoded awareness update. A nil or empty State is written as
// null (a removal).
func AppendAwarenessUpdate(dst []byte, entries []AwarenessEntry) []byte {
	dst = appendYVarUint(dst, uint64(len(entries)))
	for _, e := range entries {
		dst = appendYVarUint(dst, e.ClientID)
		dst = appendYVarUint(dst, e.Clock)
		state := e.State
		if len(state) == 0 {
			state = []byte("null")
		}
		dst = appendYVarBytes(dst, state)
	}
	return dst
}
