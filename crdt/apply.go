package crdt

// ApplyResult says what applying one remote op did.
type ApplyResult uint8

const (
	// Applied: the op changed the document (for a LiveMap delete of an
	// already deleted key, only the tombstone's clock).
	Applied ApplyResult = iota
	// Rejected: the op reached its target but had no effect under the
	// reference rules, and the sender cannot have diverged because of it:
	// an LWW loss (op clock <= field, entry or tombstone clock; impossible
	// under Sequence), a delete of a missing key, or, for a client
	// (ApplyRemote), a list-insert at a position it already has (the echo
	// of its own op) or a list-delete of a missing position.
	Rejected
	// Unappliable: the op cannot be applied consistently, and a server
	// should resync its sender (send it a fresh storage:init) rather than
	// broadcast it: the path does not resolve to a node (missing node or
	// plain value on the way), the op kind does not fit the node (set on a
	// list, list op on an object or map), a list-move whose fromPosition
	// is missing, or, for the server (Sequence): a list-insert or list-move
	// onto a position that another item holds or that one of the list's
	// last 1024 deletes or moves emptied (the sender may have dropped the
	// earlier item there as a duplicate of its own), or a list-delete of a
	// missing position (a concurrent move may have taken the item
	// elsewhere). A value that does not parse (only possible for hand-built
	// ops) is also Unappliable. The document is unchanged.
	Unappliable
)

// String returns "applied", "rejected" or "unappliable".
func (r ApplyResult) String() string {
	switch r {
	case Applied:
		return "applied"
	case Rejected:
		return "rejected"
	case Unappliable:
		return "unappliable"
	}
	return "ApplyResult(?)"
}

// ApplyRemote applies a remote op the way the stock client (and the
// reference server) does: first merge op.Clock into the document clock
// (max+1, even if the op then fails), then resolve op.Path and apply with
// the reference LWW rules (B.2.4). Echoes of the document's own ops are
// handled like any other op, as in the reference: a set with an equal clock
// loses, an inserted position already exists. A client applying a
// storage:ops message calls ApplyRemote for each op in order, then
// MergeClock with the message's numeric clock.
func (d *Doc) ApplyRemote(op *Op) ApplyResult {
	d.MergeClock(op.Clock)
	return d.apply(op, false)
}

// Sequence applies an op as the room's sequencer (the server role): it
// stamps op.Clock = max(d.Clock(), op.Clock) + 1, sets the document clock
// to the stamp, then applies the op. The stamp is above every clock in the
// document, so every set and delete whose target resolves wins, and
// broadcasting the stamped op (AppendOpJSON writes the new clock) makes
// every client apply it too. The stamp is taken even when the result is
// Unappliable; stamps are strictly increasing.
//
// Sequence differs from ApplyRemote where the reference lets replicas
// diverge: list ops that collide with another item's position (now or
// recently), and list-deletes of missing positions, are Unappliable instead
// of being ignored or creating duplicate positions.
//
// Unappliable alone is not enough for lists: a stock client places a local
// move by index and re-inserts an item it moved before its insert's echo
// came back (PROTOCOL.md A.2.2), and neither shows at the server. The
// randomized tests of this package (convergence_test.go) converge in every
// run when the server also resyncs the sender after each applied
// list-move, and diverge in a few percent of runs without that.
func (d *Doc) Sequence(op *Op) ApplyResult {
	op.Clock = inc(max(d.clock, min(op.Clock, maxClientClock)))
	d.clock = op.Clock
	return d.apply(op, true)
}

// maxClientClock caps what a client's clock contributes to the server's
// stamp. A client may send any clock up to 2^53-1; following it blindly,
// one client could push every later stamp past Number.MAX_SAFE_INTEGER,
// where JavaScript clients can no longer tell consecutive clocks apart. The
// cap leaves 2^32 stamps of room, and stamps stay strictly increasing.
const maxClientClock = maxSafeInt - 1<<32

func (d *Doc) apply(op *Op, server bool) ApplyResult {
	if d.mut != nil {
		return Unappliable
	}
	target := d.resolve(op.Path)
	if target == nil {
		return Unappliable
	}
	switch t := target.(type) {
	case *Object:
		switch op.Kind {
		case OpSet:
			return t.applySet(op)
		case OpDelete:
			return t.applyDelete(d, op)
		}
	case *Map:
		switch op.Kind {
		case OpSet:
			return t.applySet(op)
		case OpDelete:
			return t.applyDelete(op)
		}
	case *List:
		switch op.Kind {
		case OpListInsert:
			return t.applyInsert(op, server)
		case OpListDelete:
			return t.applyDelete(op, server)
		case OpListMove:
			return t.applyMove(op, server)
		}
	}
	return Unappliable
}

// Lookup returns the node at path (nil if a segment is missing or names a
// plain value), resolved as ops resolve their paths: keys for LiveObject and
// LiveMap children (tombstones skipped), positions for LiveList children.
func (d *Doc) Lookup(path []string) Value {
	if n := d.resolve(path); n != nil {
		return n
	}
	return nil
}

// resolve walks path from the root; nil if a segment is missing or names a
// plain value.
func (d *Doc) resolve(path []string) node {
	n := d.root
	for _, seg := range path {
		if n = n.child(seg); n == nil {
			return nil
		}
	}
	return n
}
