package crdt

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Value is one element of the storage tree: a *Object (LiveObject), a *Map
// (LiveMap), a *List (LiveList) or a Raw plain JSON value. The set is
// closed; a type switch over these four cases is exhaustive.
type Value interface {
	isValue()
}

// Raw is a plain (non-CRDT) JSON value: a primitive, or an object or array
// the CRDT treats as opaque. Values read from a document are compact JSON;
// values given to Set/Push/Insert are validated and compacted. A Raw whose
// top level is an object typed "LiveObject", "LiveMap" or "LiveList" is not
// plain: Set turns it into the corresponding node, as every remote replica
// does when it receives the op.
type Raw string

func (Raw) isValue() {}

// Null is the JSON null value.
const Null Raw = "null"

// String returns s as a JSON string value.
func String(s string) Raw { return Raw(appendString(nil, s)) }

// Int returns i as a JSON number value.
func Int(i int64) Raw { return Raw(strconv.AppendInt(nil, i, 10)) }

// Number returns f as a JSON number formatted like JavaScript does; NaN and
// infinities become null, as JSON.stringify makes them.
func Number(f float64) Raw { return Raw(appendNumber(nil, f)) }

// Bool returns b as a JSON boolean value.
func Bool(b bool) Raw {
	if b {
		return "true"
	}
	return "false"
}

// Marshal encodes v with encoding/json (without HTML escaping) as a Raw
// value. It is a convenience for building values, not for hot paths.
func Marshal(v any) (Raw, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	b, err := trimValue(buf.Bytes())
	if err != nil {
		return "", ErrInvalidValue
	}
	return Raw(compactValue(b)), nil
}

// slot holds one stored value: a CRDT child node or compact plain JSON.
type slot struct {
	n   node
	raw string
}

func (s slot) value() Value {
	if s.n != nil {
		return s.n
	}
	return Raw(s.raw)
}

func (s slot) appendJSON(dst []byte) []byte {
	if s.n != nil {
		return s.n.appendJSON(dst)
	}
	return append(dst, s.raw...)
}

// node is implemented by *Object, *Map and *List.
type node interface {
	Value
	base() *nodeBase
	appendJSON(dst []byte) []byte
	// child returns the CRDT child addressed by one path segment.
	child(seg string) node
	// eachChild calls fn for every live CRDT child.
	eachChild(fn func(node))
}

// nodeBase is the part every node shares: where it hangs in the tree.
type nodeBase struct {
	doc    *Doc   // the document, nil while detached
	parent node   // nil for a root or a detached node
	key    string // key in the parent; for a list child, its position
}

func (b *nodeBase) base() *nodeBase { return b }

// attachTree sets doc on n and all of its descendants.
func attachTree(n node, d *Doc) {
	n.base().doc = d
	n.eachChild(func(c node) { attachTree(c, d) })
}

// detachChild unlinks a child node that has been removed from its parent.
func detachChild(s slot) {
	if s.n == nil {
		return
	}
	attachTree(s.n, nil)
	s.n.base().parent = nil
}

// linkChild hangs the node in s (if any) under parent p at key.
func linkChild(s slot, p node, key string) {
	if s.n == nil {
		return
	}
	b := s.n.base()
	b.parent = p
	b.key = key
	if d := p.base().doc; d != nil {
		attachTree(s.n, d)
	}
}

// path returns the path from the root to n.
func path(n node) []string {
	depth := 0
	for c := n; c.base().parent != nil; c = c.base().parent {
		depth++
	}
	p := make([]string, depth)
	for c := n; c.base().parent != nil; c = c.base().parent {
		depth--
		p[depth] = c.base().key
	}
	return p
}

// prepareLocal turns a Value given to a local mutation of container into a
// slot, checking that nodes can be attached under container.
func prepareLocal(container node, v Value) (slot, error) {
	switch v := v.(type) {
	case Raw:
		b, err := trimValue([]byte(v))
		if err != nil {
			return slot{}, ErrInvalidValue
		}
		return buildSlot(b, 0)
	case *Object:
		if v != nil {
			return prepareNode(container, v)
		}
	case *Map:
		if v != nil {
			return prepareNode(container, v)
		}
	case *List:
		if v != nil {
			return prepareNode(container, v)
		}
	}
	return slot{}, ErrInvalidValue
}

func prepareNode(container, v node) (slot, error) {
	b := v.base()
	if b.doc != nil || b.parent != nil {
		return slot{}, ErrAttached
	}
	for c := container; c != nil; c = c.base().parent {
		if c == v {
			return slot{}, ErrCycle
		}
	}
	return slot{n: v}, nil
}

// isArrayIndex reports whether key is a JS array index (a canonical
// uint32 below 2^32-1). JS objects list such keys first, in numeric order.
func isArrayIndex(key string) bool {
	if len(key) == 0 || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return false
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	return n <= 4294967294
}

// cmpArrayIndex orders two array-index keys numerically.
func cmpArrayIndex(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
