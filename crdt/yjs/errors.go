package yjs

import "errors"

// Sentinel errors. Every decoding failure wraps one of them; test with errors.Is.
var (
	// ErrUnexpectedEOF reports input that ends in the middle of a value.
	ErrUnexpectedEOF = errors.New("yjs: unexpected end of input")
	// ErrIntegerOutOfRange reports a varint that does not fit the JavaScript safe-integer range
	// (client ids, clocks and lengths are JS numbers, at most 2^53-1).
	ErrIntegerOutOfRange = errors.New("yjs: integer out of range")
	// ErrInvalidUTF8 reports a string that is not valid UTF-8 (lib0 decodes strings with a fatal TextDecoder).
	ErrInvalidUTF8 = errors.New("yjs: invalid UTF-8 in string")
	// ErrInvalidAny reports a malformed lib0 "any" value (unknown tag, nesting too deep).
	ErrInvalidAny = errors.New("yjs: invalid any value")
	// ErrInvalidJSON reports JSON text that JavaScript's JSON.parse would reject.
	ErrInvalidJSON = errors.New("yjs: invalid JSON")
	// ErrInvalidUpdate reports a structurally invalid V1 update (unknown struct or content kind,
	// zero-length struct, an item that references its own future, ...).
	ErrInvalidUpdate = errors.New("yjs: invalid update")
	// ErrInvalidStateVector reports a malformed encoded state vector.
	ErrInvalidStateVector = errors.New("yjs: invalid state vector")
	// ErrNotFound reports a missing element (index out of range, unknown key) in an edit.
	ErrNotFound = errors.New("yjs: not found")
)
