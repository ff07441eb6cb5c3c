package codec

import "errors"

// Sentinel errors returned (wrapped) by the Lively decoders. Callers test them
// with errors.Is and use Reason to label metrics with a bounded value.
var (
	// ErrInvalidJSON means the frame is not a JSON value (or not valid
	// MessagePack on a msgpack connection).
	ErrInvalidJSON = errors.New("codec: invalid JSON")
	// ErrNotObject means the frame is valid JSON but not an object (null, 5,
	// "str", [1] are all dropped).
	ErrNotObject = errors.New("codec: message is not an object")
	// ErrNoType means the object has no string "type" field.
	ErrNoType = errors.New("codec: message has no string type")
	// ErrInvalidField means a protocol message failed its validation (for
	// example cursor:update without finite x and y).
	ErrInvalidField = errors.New("codec: invalid field")
	// ErrInvalidMsgpack means a binary frame is not a valid MessagePack value
	// or uses a type with no JSON equivalent.
	ErrInvalidMsgpack = errors.New("codec: invalid msgpack")
	// ErrTooDeep means the value nests deeper than MaxDepth.
	ErrTooDeep = errors.New("codec: value nests too deeply")
)

// MaxDepth bounds nesting when transcoding between JSON and MessagePack, so a
// hostile frame cannot exhaust the stack.
const MaxDepth = 512

// Reason maps a decode error to a short, bounded metric label.
func Reason(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrInvalidJSON):
		return "invalid_json"
	case errors.Is(err, ErrNotObject):
		return "not_object"
	case errors.Is(err, ErrNoType):
		return "no_type"
	case errors.Is(err, ErrInvalidField):
		return "invalid_field"
	case errors.Is(err, ErrInvalidMsgpack):
		return "invalid_msgpack"
	case errors.Is(err, ErrTooDeep):
		return "too_deep"
	default:
		return "other"
	}
}
