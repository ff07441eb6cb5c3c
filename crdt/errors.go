package crdt

import "errors"

// Sentinel errors, returned as is; test them with errors.Is.
var (
	// ErrInvalidJSON: the input is not one well-formed JSON value.
	ErrInvalidJSON = errors.New("crdt: invalid JSON")
	// ErrOpsNotArray: the ops field is not a JSON array.
	ErrOpsNotArray = errors.New("crdt: ops is not an array")
	// ErrOpsEmpty: the ops array has no elements.
	ErrOpsEmpty = errors.New("crdt: ops is empty")
	// ErrInvalidRoot: a snapshot root is not a JSON object naming a CRDT
	// type (for example {"type":"Foo"}, a primitive or an array).
	ErrInvalidRoot = errors.New("crdt: root is not a serialized CRDT")
	// ErrInvalidCrdt: an object typed LiveObject/LiveMap/LiveList lacks its
	// body (data, entries, items) or the body has the wrong shape.
	ErrInvalidCrdt = errors.New("crdt: malformed serialized CRDT")
	// ErrTooDeep: CRDT nodes are nested deeper than MaxDepth.
	ErrTooDeep = errors.New("crdt: CRDT nesting too deep")
	// ErrInvalidValue: a Raw value is not a single JSON value.
	ErrInvalidValue = errors.New("crdt: invalid value")
	// ErrRootNotObject: Mutate was called on a document whose root is not a
	// LiveObject.
	ErrRootNotObject = errors.New("crdt: root is not a LiveObject")
	// ErrNotMutating: an attached node was changed outside Doc.Mutate.
	ErrNotMutating = errors.New("crdt: attached node changed outside Mutate")
	// ErrNestedMutate: Doc.Mutate or Doc.ApplySnapshot was called from inside
	// Doc.Mutate.
	ErrNestedMutate = errors.New("crdt: nested Mutate")
	// ErrIndexOutOfRange: a list index is outside the list.
	ErrIndexOutOfRange = errors.New("crdt: list index out of range")
	// ErrAttached: the node already belongs to a document or a parent.
	ErrAttached = errors.New("crdt: node is already attached")
	// ErrCycle: setting the node would make it its own ancestor.
	ErrCycle = errors.New("crdt: node would contain itself")
)
