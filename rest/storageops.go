package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/lively-actor/lively/crdt"
)

// StorageOpKind is what a StorageOp does.
type StorageOpKind uint8

// Storage operations; each is one call of the Go storage API.
const (
	StorageSet    StorageOpKind = iota + 1 // Object.Set / Map.Set(Key, Value)
	StorageDelete                          // Object.Delete / Map.Delete(Key)
	StoragePush                            // List.Push(Value)
	StorageInsert                          // List.Insert(Index, Value)
	StorageRemove                          // List.Delete(Index)
	StorageMove                            // List.Move(Index, To)
)

var storageOpNames = [...]string{"", "set", "delete", "push", "insert", "remove", "move"}

// String returns the kind's wire name ("set").
func (k StorageOpKind) String() string {
	if k != 0 && int(k) < len(storageOpNames) {
		return storageOpNames[k]
	}
	return "StorageOpKind(" + strconv.Itoa(int(k)) + ")"
}

// StorageOp is one mutation of a room's Lively storage, addressed by a path from the root.
//
// On the wire (POST /admin/rooms/{id}/storage, body {"ops":[...]}):
//
//	{"op":"set","path":["settings"],"key":"theme","value":"dark"}
//	{"op":"delete","path":[],"key":"draft"}
//	{"op":"push","path":["todos"],"value":{"type":"LiveObject","data":{"text":"milk"}}}
//	{"op":"insert","path":["todos"],"index":0,"value":"first"}
//	{"op":"remove","path":["todos"],"index":2}
//	{"op":"move","path":["todos"],"from":0,"to":3}
//
// path walks from the root LiveObject: LiveObject and LiveMap children by key, LiveList children
// by decimal index. value is plain JSON or a serialized LiveObject/LiveMap/LiveList (the
// storage:init format), which becomes a live node.
type StorageOp struct {
	Kind  StorageOpKind
	Path  []string
	Key   string          // set, delete
	Index int             // insert, remove; the source index of move
	To    int             // move
	Value json.RawMessage // set, push, insert
}

// StorageOps is a list of storage mutations applied together.
type StorageOps []StorageOp

type wireStorageOp struct {
	Op    string          `json:"op"`
	Path  []string        `json:"path"`
	Key   *string         `json:"key"`
	Index *int            `json:"index"`
	From  *int            `json:"from"`
	To    *int            `json:"to"`
	Value json.RawMessage `json:"value"`
}

// DecodeStorageOps decodes and checks the body {"ops":[...]} of a storage mutation. Errors wrap
// ErrBadRequest and name the first bad op.
func DecodeStorageOps(body []byte) (StorageOps, error) {
	var req struct {
		Ops []wireStorageOp `json:"ops"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("%w: request body must be {\"ops\":[...]}: %v", ErrBadRequest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the request body", ErrBadRequest)
	}
	if req.Ops == nil {
		return nil, fmt.Errorf("%w: request body needs an \"ops\" array", ErrBadRequest)
	}
	ops := make(StorageOps, len(req.Ops))
	for i, w := range req.Ops {
		op, err := w.toOp()
		if err != nil {
			return nil, fmt.Errorf("%w: ops[%d]: %v", ErrBadRequest, i, err)
		}
		ops[i] = op
	}
	return ops, nil
}

func (w *wireStorageOp) toOp() (StorageOp, error) {
	op := StorageOp{Path: w.Path, Value: w.Value}
	if op.Path == nil {
		op.Path = []string{}
	}
	needs := func(key, index, from, to, value bool) error {
		for _, f := range []struct {
			name      string
			want, has bool
		}{{"key", key, w.Key != nil}, {"index", index, w.Index != nil}, {"from", from, w.From != nil},
			{"to", to, w.To != nil}, {"value", value, w.Value != nil}} {
			if f.want && !f.has {
				return fmt.Errorf("%q needs %q", w.Op, f.name)
			}
			if !f.want && f.has {
				return fmt.Errorf("%q takes no %q", w.Op, f.name)
			}
		}
		return nil
	}
	var err error
	switch w.Op {
	case "set":
		op.Kind, err = StorageSet, needs(true, false, false, false, true)
	case "delete":
		op.Kind, err = StorageDelete, needs(true, false, false, false, false)
	case "push":
		op.Kind, err = StoragePush, needs(false, false, false, false, true)
	case "insert":
		op.Kind, err = StorageInsert, needs(false, true, false, false, true)
	case "remove":
		op.Kind, err = StorageRemove, needs(false, true, false, false, false)
	case "move":
		op.Kind, err = StorageMove, needs(false, false, true, true, false)
	default:
		return op, fmt.Errorf("unknown op %q (want set, delete, push, insert, remove or move)", w.Op)
	}
	if err != nil {
		return op, err
	}
	if w.Key != nil {
		op.Key = *w.Key
	}
	switch {
	case w.Index != nil:
		op.Index = *w.Index
	case w.From != nil:
		op.Index, op.To = *w.From, *w.To
	}
	if op.Index < 0 || op.To < 0 {
		return op, fmt.Errorf("negative index")
	}
	return op, nil
}

// Apply runs the ops on a storage root in order; use it as the function of MutateStorage, which
// rolls everything back when it fails. Errors wrap ErrBadRequest and name the failing op.
func (ops StorageOps) Apply(root *crdt.Object) error {
	for i := range ops {
		if err := ops[i].apply(root); err != nil {
			return fmt.Errorf("%w: ops[%d] (%v at %q): %v", ErrBadRequest, i, ops[i].Kind, ops[i].Path, err)
		}
	}
	return nil
}

func (op *StorageOp) apply(root *crdt.Object) error {
	var node crdt.Value = root
	for _, seg := range op.Path {
		switch n := node.(type) {
		case *crdt.Object:
			node = n.Get(seg)
		case *crdt.Map:
			node = n.Get(seg)
		case *crdt.List:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= n.Len() {
				return fmt.Errorf("no list element %q", seg)
			}
			node = n.Get(i)
		default:
			return fmt.Errorf("%q is inside a plain value", seg)
		}
		if node == nil {
			return fmt.Errorf("no element %q", seg)
		}
	}
	switch op.Kind {
	case StorageSet, StorageDelete:
		type keyed interface {
			Set(string, crdt.Value) error
			Delete(string) error
		}
		var target keyed
		switch n := node.(type) {
		case *crdt.Object:
			target = n
		case *crdt.Map:
			target = n
		default:
			return fmt.Errorf("the target is not a LiveObject or LiveMap")
		}
		if op.Kind == StorageSet {
			return target.Set(op.Key, crdt.Raw(op.Value))
		}
		return target.Delete(op.Key)
	}
	list, ok := node.(*crdt.List)
	if !ok {
		return fmt.Errorf("the target is not a LiveList")
	}
	switch op.Kind {
	case StoragePush:
		return list.Push(crdt.Raw(op.Value))
	case StorageInsert:
		return list.Insert(op.Index, crdt.Raw(op.Value))
	case StorageRemove:
		return list.Delete(op.Index)
	case StorageMove:
		return list.Move(op.Index, op.To)
	}
	return fmt.Errorf("unknown op kind %v", op.Kind)
}
