package crdt

import "math"

// Doc is a storage document: a tree of CRDT nodes plus a Lamport clock.
// A Doc is not safe for concurrent use; its owner (the room actor, or one
// simulated client) serializes every call.
type Doc struct {
	root    node
	clock   int64
	refKeys bool
	mut     *mutation // non-nil while Mutate runs
}

// Option configures a Doc.
type Option func(*Doc)

// WithReferenceKeys makes local list inserts, pushes and moves use
// ReferenceKeyBetween and place moved items by index, exactly like the
// stock client (bugs included). Use it for documents that model stock
// clients; the server's document keeps the default, KeyBetween, so that its
// own mutations never produce duplicate or out-of-order positions.
func WithReferenceKeys() Option {
	return func(d *Doc) { d.refKeys = true }
}

// NewDoc returns a document whose root is an empty LiveObject, clock 0.
func NewDoc(opts ...Option) *Doc {
	d := &Doc{root: &Object{}}
	d.root.base().doc = d
	for _, o := range opts {
		o(d)
	}
	return d
}

// Deserialize builds a document from a serialized CRDT root (B.2.6). Every
// clock, and the document clock, starts at 0; list items are sorted by
// position (stable for equal positions). Any CRDT type is accepted as root.
//
// It fails with ErrInvalidJSON for malformed JSON, ErrInvalidRoot when the
// root is not an object naming a CRDT type (e.g. {"type":"Foo"}, null, an
// array), ErrInvalidCrdt when a CRDT-typed object lacks its body or has a
// malformed one, and ErrTooDeep past MaxDepth. It never panics.
func Deserialize(root []byte, opts ...Option) (*Doc, error) {
	n, err := parseRoot(root)
	if err != nil {
		return nil, err
	}
	d := &Doc{root: n}
	for _, o := range opts {
		o(d)
	}
	attachTree(n, d)
	return d, nil
}

// ApplySnapshot replaces the whole tree in place with a serialized root,
// as the stock client does when a storage:init arrives for a document it
// already has (reconnect, or a server resync). The document clock is kept;
// the new tree's clocks are 0. Nodes of the old tree become detached: get
// the new ones from Root. On error the document is unchanged.
func (d *Doc) ApplySnapshot(root []byte) error {
	if d.mut != nil {
		return ErrNestedMutate
	}
	n, err := parseRoot(root)
	if err != nil {
		return err
	}
	attachTree(d.root, nil)
	d.root = n
	attachTree(n, d)
	return nil
}

// Root returns the root node: *Object normally, *Map or *List if the
// document was deserialized from such a root.
func (d *Doc) Root() Value { return d.root }

// Clock returns the document's Lamport clock.
func (d *Doc) Clock() int64 { return d.clock }

// MergeClock is the reference clock merge: clock = max(clock, c) + 1. It
// always increments, even when c is lower. The stock client merges every
// remote op's clock (ApplyRemote does that) and the numeric clock of every
// storage:ops message after applying its ops.
func (d *Doc) MergeClock(c int64) {
	d.clock = inc(max(d.clock, c))
}

// AppendJSON appends the serialized document (B.2.6): keys in JS property
// order (insertion order, with array-index keys such as "0" or "42" first in
// numeric order, as JSON.stringify lists them), tombstones left out, list
// items in list order, strings escaped like JSON.stringify (no HTML
// escaping), plain values as stored.
func (d *Doc) AppendJSON(dst []byte) []byte { return d.root.appendJSON(dst) }

// tick is the Lamport tick: clock = clock + 1, returning the new value. A
// nil Doc (a detached node) ticks nothing and stamps 0.
func (d *Doc) tick() int64 {
	if d == nil {
		return 0
	}
	d.clock = inc(d.clock)
	return d.clock
}

// inc adds one without overflowing (clocks from the wire stay below 2^53;
// this only guards hand-built ops).
func inc(c int64) int64 {
	if c == math.MaxInt64 {
		return c
	}
	return c + 1
}
