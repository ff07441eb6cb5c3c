package crdt

import (
	"slices"
	"strings"
)

// Parsing serialized CRDTs (B.2.6):
//
//	{"type":"LiveObject","data":{"k":<SerializedCrdt>}}
//	{"type":"LiveMap","entries":{"k":<SerializedCrdt>}}
//	{"type":"LiveList","items":[{"position":"V","value":<SerializedCrdt>}]}
//
// An object whose (last) "type" member is one of the three names is a CRDT
// and must carry its body with the right JSON type; anything else is an
// opaque plain value. Only the top level of a value is inspected: plain
// objects and arrays are never searched for CRDTs inside them. The
// reference crashes on a CRDT-typed object without its body; here it is
// ErrInvalidCrdt.

// MaxDepth bounds how deeply CRDT nodes may nest inside one parsed value.
const MaxDepth = 1000

type crdtType uint8

const (
	plainType crdtType = iota
	objectType
	mapType
	listType
)

// classify inspects the validated JSON value v. For a CRDT it returns the
// body value (data, entries or items).
func classify(v []byte) (crdtType, []byte, error) {
	if len(v) == 0 || v[0] != '{' {
		return plainType, nil, nil
	}
	var typ, data, ents, items []byte
	it := newMemberIter(v, 0)
	for {
		k, vs, ve, ok := it.next()
		if !ok {
			break
		}
		switch {
		case keyIs(k, "type"):
			typ = v[vs:ve]
		case keyIs(k, "data"):
			data = v[vs:ve]
		case keyIs(k, "entries"):
			ents = v[vs:ve]
		case keyIs(k, "items"):
			items = v[vs:ve]
		}
	}
	if len(typ) == 0 || typ[0] != '"' {
		return plainType, nil, nil
	}
	var (
		t    crdtType
		body []byte
		want byte = '{'
	)
	switch {
	case keyIs(typ, "LiveObject"):
		t, body = objectType, data
	case keyIs(typ, "LiveMap"):
		t, body = mapType, ents
	case keyIs(typ, "LiveList"):
		t, body, want = listType, items, '['
	default:
		return plainType, nil, nil
	}
	if len(body) == 0 || body[0] != want {
		return t, nil, ErrInvalidCrdt
	}
	return t, body, nil
}

// listItemSpans returns the position string and value of one serialized
// list item.
func listItemSpans(item []byte) (pos, val []byte, err error) {
	if item[0] != '{' {
		return nil, nil, ErrInvalidCrdt
	}
	it := newMemberIter(item, 0)
	for {
		k, vs, ve, ok := it.next()
		if !ok {
			break
		}
		switch {
		case keyIs(k, "position"):
			pos = item[vs:ve]
		case keyIs(k, "value"):
			val = item[vs:ve]
		}
	}
	if len(pos) == 0 || pos[0] != '"' || len(val) == 0 {
		return nil, nil, ErrInvalidCrdt
	}
	return pos, val, nil
}

// checkValue validates the CRDT structure of the validated JSON value v
// without building anything.
func checkValue(v []byte, depth int) error {
	t, body, err := classify(v)
	if err != nil || t == plainType {
		return err
	}
	if depth >= MaxDepth {
		return ErrTooDeep
	}
	if t == listType {
		it := newElemIter(body, 0)
		for {
			vs, ve, ok := it.next()
			if !ok {
				return nil
			}
			_, val, err := listItemSpans(body[vs:ve])
			if err != nil {
				return err
			}
			if err := checkValue(val, depth+1); err != nil {
				return err
			}
		}
	}
	it := newMemberIter(body, 0)
	for {
		_, vs, ve, ok := it.next()
		if !ok {
			return nil
		}
		if err := checkValue(body[vs:ve], depth+1); err != nil {
			return err
		}
	}
}

// buildSlot turns the validated JSON value v into a stored value. Every
// clock in the built subtree is 0, and nothing refers to v afterwards.
func buildSlot(v []byte, depth int) (slot, error) {
	t, body, err := classify(v)
	if err != nil {
		return slot{}, err
	}
	if t == plainType {
		return slot{raw: plainString(v)}, nil
	}
	n, err := buildNode(t, body, depth)
	if err != nil {
		return slot{}, err
	}
	return slot{n: n}, nil
}

func buildNode(t crdtType, body []byte, depth int) (node, error) {
	if depth >= MaxDepth {
		return nil, ErrTooDeep
	}
	switch t {
	case listType:
		return buildList(body, depth)
	case mapType:
		m := &Map{}
		if err := buildEntries(m, &m.f, body, depth); err != nil {
			return nil, err
		}
		m.live = len(m.f.e)
		return m, nil
	default:
		o := &Object{}
		if err := buildEntries(o, &o.f, body, depth); err != nil {
			return nil, err
		}
		return o, nil
	}
}

func buildEntries(parent node, f *entries, body []byte, depth int) error {
	it := newMemberIter(body, 0)
	for {
		k, vs, ve, ok := it.next()
		if !ok {
			break
		}
		key, err := decodeString(k)
		if err != nil {
			return err
		}
		s, err := buildSlot(body[vs:ve], depth+1)
		if err != nil {
			return err
		}
		if s.n != nil {
			b := s.n.base()
			b.parent, b.key = parent, key
		}
		f.setParsed(key, s)
	}
	f.jsOrder()
	return nil
}

func buildList(body []byte, depth int) (*List, error) {
	l := &List{}
	it := newElemIter(body, 0)
	for {
		vs, ve, ok := it.next()
		if !ok {
			break
		}
		p, val, err := listItemSpans(body[vs:ve])
		if err != nil {
			return nil, err
		}
		pos, err := decodeString(p)
		if err != nil {
			return nil, err
		}
		s, err := buildSlot(val, depth+1)
		if err != nil {
			return nil, err
		}
		if s.n != nil {
			b := s.n.base()
			b.parent, b.key = l, pos
		}
		l.items = append(l.items, &listItem{pos: pos, val: s})
	}
	slices.SortStableFunc(l.items, func(a, b *listItem) int { return strings.Compare(a.pos, b.pos) })
	return l, nil
}

// plainString returns the compact JSON of a plain value as a string that
// does not share memory with v. The common literals cost no allocation.
func plainString(v []byte) string {
	switch string(v) {
	case "true":
		return "true"
	case "false":
		return "false"
	case "null":
		return "null"
	case `""`:
		return `""`
	}
	return string(compactValue(v))
}

// parseRoot parses a snapshot root, which must be a serialized CRDT.
func parseRoot(root []byte) (node, error) {
	v, err := trimValue(root)
	if err != nil {
		return nil, ErrInvalidJSON
	}
	t, body, err := classify(v)
	if err != nil {
		return nil, err
	}
	if t == plainType {
		return nil, ErrInvalidRoot
	}
	return buildNode(t, body, 0)
}

// opSlot builds the stored value of a set or list-insert op.
func opSlot(op *Op) (slot, error) {
	v := op.Value
	if !op.isChecked() {
		var err error
		if v, err = trimValue(v); err != nil {
			return slot{}, ErrInvalidValue
		}
		if err := checkValue(v, 0); err != nil {
			return slot{}, err
		}
	}
	return buildSlot(v, 0)
}
