package crdt

// List is a LiveList: items kept in a slice ordered by their position
// strings. Children of a list are addressed in paths by their position.
//
// Remote ops find positions and insert by binary search. The stock client
// places a local move by index, so with the reference key generator its
// list can fall out of position order; List reproduces that (see
// WithReferenceKeys), tracks whether the order still holds, and falls back
// to the reference's linear first-match lookup while it does not.
type List struct {
	nodeBase
	items    []*listItem
	unsorted bool     // some item is out of position order
	vac      *vacated // positions recently emptied by a delete or move
}

type listItem struct {
	pos   string
	val   slot
	clock int64
}

// NewList returns an empty, detached LiveList. Items pushed while detached
// get positions from KeyBetween.
func NewList() *List { return &List{} }

func (*List) isValue() {}

// Len returns the number of items.
func (l *List) Len() int { return len(l.items) }

// Get returns item i, or nil if i is out of range.
func (l *List) Get(i int) Value {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i].val.value()
}

// Position returns the position string of item i, or "" if out of range.
func (l *List) Position(i int) string {
	if i < 0 || i >= len(l.items) {
		return ""
	}
	return l.items[i].pos
}

// Index returns the index of the first item at position pos, or -1.
func (l *List) Index(pos string) int { return l.find(pos) }

// AppendJSON appends the node serialized as
// {"type":"LiveList","items":[{"position":…,"value":…},…]}.
func (l *List) AppendJSON(dst []byte) []byte { return l.appendJSON(dst) }

func (l *List) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":"LiveList","items":[`...)
	for i, it := range l.items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"position":`...)
		dst = appendString(dst, it.pos)
		dst = append(dst, `,"value":`...)
		dst = it.val.appendJSON(dst)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

func (l *List) child(seg string) node {
	if i := l.find(seg); i >= 0 {
		return l.items[i].val.n
	}
	return nil
}

func (l *List) eachChild(fn func(node)) {
	for _, it := range l.items {
		if it.val.n != nil {
			fn(it.val.n)
		}
	}
}

// insertIndex is the reference's _findInsertIndex: a lower-bound binary
// search, run as is even when the list is out of order.
func (l *List) insertIndex(pos string) int {
	lo, hi := 0, len(l.items)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if l.items[mid].pos < pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// find returns the index of the first item at pos, or -1.
func (l *List) find(pos string) int {
	if l.unsorted {
		for i, it := range l.items {
			if it.pos == pos {
				return i
			}
		}
		return -1
	}
	if i := l.insertIndex(pos); i < len(l.items) && l.items[i].pos == pos {
		return i
	}
	return -1
}

func (l *List) insertAt(i int, it *listItem) {
	l.items = append(l.items, nil)
	copy(l.items[i+1:], l.items[i:])
	l.items[i] = it
}

func (l *List) removeAt(i int) *listItem {
	it := l.items[i]
	copy(l.items[i:], l.items[i+1:])
	l.items[len(l.items)-1] = nil
	l.items = l.items[:len(l.items)-1]
	return it
}

// placed updates the order flag after an item was put at index i by index
// (not by search).
func (l *List) placed(i int) {
	if l.unsorted {
		l.recheck()
		return
	}
	p := l.items[i].pos
	if (i > 0 && l.items[i-1].pos > p) || (i+1 < len(l.items) && p > l.items[i+1].pos) {
		l.unsorted = true
	}
}

// recheck recomputes the order flag of an out-of-order list.
func (l *List) recheck() {
	if !l.unsorted {
		return
	}
	for i := 1; i < len(l.items); i++ {
		if l.items[i-1].pos > l.items[i].pos {
			return
		}
	}
	l.unsorted = false
}

func (l *List) setPos(it *listItem, pos string) {
	it.pos = pos
	if it.val.n != nil {
		it.val.n.base().key = pos
	}
}

// keyBetween generates a local position with the document's generator.
func (l *List) keyBetween(a, b string) string {
	if l.doc != nil && l.doc.refKeys {
		return ReferenceKeyBetween(a, b)
	}
	return KeyBetween(a, b)
}

// Push appends v after the last item: position after(last), inserted by
// binary search, recorded as a "list-insert" op.
func (l *List) Push(v Value) error {
	last := ""
	if n := len(l.items); n > 0 {
		last = l.items[n-1].pos
	}
	return l.insertLocal(last, "", v)
}

// Insert puts v at index i (0 <= i <= Len): position between items i-1 and
// i, inserted by binary search, recorded as a "list-insert" op. An index
// outside the list is ErrIndexOutOfRange (the reference throws).
func (l *List) Insert(i int, v Value) error {
	if i < 0 || i > len(l.items) {
		return ErrIndexOutOfRange
	}
	before, after := "", ""
	if i > 0 {
		before = l.items[i-1].pos
	}
	if i < len(l.items) {
		after = l.items[i].pos
	}
	return l.insertLocal(before, after, v)
}

func (l *List) insertLocal(before, after string, v Value) error {
	d, err := l.doc.checkMutating()
	if err != nil {
		return err
	}
	s, err := prepareLocal(l, v)
	if err != nil {
		return err
	}
	clock := d.tick()
	pos := l.keyBetween(before, after)
	it := &listItem{pos: pos, val: s, clock: clock}
	idx := l.insertIndex(pos)
	wasUnsorted := l.unsorted
	l.insertAt(idx, it)
	l.recheck()
	linkChild(s, l, pos)
	d.onUndo(func() {
		l.removeAt(idx)
		l.unsorted = wasUnsorted
		detachChild(s)
	})
	d.emit(l, Op{Kind: OpListInsert, Position: pos, Value: s.appendJSON(nil), Clock: clock}, Op{Kind: OpListDelete, Position: pos})
	return nil
}

// Delete removes item i and records a "list-delete" op.
func (l *List) Delete(i int) error {
	d, err := l.doc.checkMutating()
	if err != nil {
		return err
	}
	if i < 0 || i >= len(l.items) {
		return ErrIndexOutOfRange
	}
	clock := d.tick()
	wasUnsorted := l.unsorted
	it := l.removeAt(i)
	l.recheck()
	l.vacate(it.pos)
	detachChild(it.val)
	d.onUndo(func() {
		l.insertAt(i, it)
		l.unsorted = wasUnsorted
		linkChild(it.val, l, it.pos)
	})
	d.emit(l, Op{Kind: OpListDelete, Position: it.pos, Clock: clock}, Op{Kind: OpListInsert, Position: it.pos, Value: it.val.appendJSON(nil)})
	return nil
}

// Move moves item from to index to, as the reference does: remove the
// item, take the position between the neighbours at min(to, Len-1) in the
// shortened list, and record a "list-move" op {fromPosition, toPosition}.
//
// With WithReferenceKeys the item is placed at that index even if the
// reference generator returned a position out of order there (stock client
// behaviour); otherwise the position is always in order. A negative to is
// ErrIndexOutOfRange (the reference throws after losing the item).
func (l *List) Move(from, to int) error {
	d, err := l.doc.checkMutating()
	if err != nil {
		return err
	}
	if from < 0 || from >= len(l.items) || to < 0 {
		return ErrIndexOutOfRange
	}
	clock := d.tick()
	wasUnsorted := l.unsorted
	it := l.removeAt(from)
	adj := min(to, len(l.items))
	before, after := "", ""
	if adj > 0 {
		before = l.items[adj-1].pos
	}
	if adj < len(l.items) {
		after = l.items[adj].pos
	}
	oldPos, oldClock := it.pos, it.clock
	l.vacate(oldPos)
	pos := l.keyBetween(before, after)
	l.setPos(it, pos)
	it.clock = clock
	idx := adj
	if d == nil || !d.refKeys {
		idx = l.insertIndex(pos)
	}
	l.insertAt(idx, it)
	l.placed(idx)
	d.onUndo(func() {
		l.removeAt(idx)
		l.setPos(it, oldPos)
		it.clock = oldClock
		l.insertAt(from, it)
		l.unsorted = wasUnsorted
	})
	d.emit(l, Op{Kind: OpListMove, FromPosition: oldPos, ToPosition: pos, Clock: clock}, Op{Kind: OpListMove, FromPosition: pos, ToPosition: oldPos})
	return nil
}

// applyInsert is a remote list-insert: clocks are ignored; an existing
// position makes it a no-op (the reference's idempotency).
//
// For the server (sequencer) an existing position is a collision: the
// sender's list holds an item this document does not, so the op is
// Unappliable. So is a position that was recently emptied: the sender
// generated it while an earlier item sat there, and when that item's
// insert reached it, it dropped it as a duplicate of its own; the earlier
// item has moved or gone since, so this insert would apply cleanly while
// the sender stays without the earlier item (or, after its delete, without
// its own).
func (l *List) applyInsert(op *Op, server bool) ApplyResult {
	if l.find(op.Position) >= 0 {
		if server {
			return Unappliable
		}
		return Rejected
	}
	if server && l.wasVacated(op.Position) {
		return Unappliable
	}
	s, err := opSlot(op)
	if err != nil {
		return Unappliable
	}
	l.insertAt(l.insertIndex(op.Position), &listItem{pos: op.Position, val: s, clock: op.Clock})
	l.recheck()
	linkChild(s, l, op.Position)
	return Applied
}

// applyDelete is a remote list-delete: removes the first item at the
// position, with no clock check. A missing position is Rejected for a
// client. For the server it is Unappliable: the item may have been moved
// by someone else, and the sender, which deleted its copy, now lacks an
// item every other replica has at the new position.
func (l *List) applyDelete(op *Op, server bool) ApplyResult {
	i := l.find(op.Position)
	if i < 0 {
		if server {
			return Unappliable
		}
		return Rejected
	}
	detachChild(l.removeAt(i).val)
	l.recheck()
	l.vacate(op.Position)
	return Applied
}

// applyMove is a remote list-move: the item at fromPosition is reinserted
// at toPosition with the op's clock, with no clock check. A missing
// fromPosition is Unappliable (the reference ignores it). The client
// accepts a toPosition that another item already has (duplicates, as in
// the reference); the server treats that, and a recently emptied
// toPosition (see applyInsert), as Unappliable.
func (l *List) applyMove(op *Op, server bool) ApplyResult {
	i := l.find(op.FromPosition)
	if i < 0 {
		return Unappliable
	}
	if server && op.ToPosition != op.FromPosition && (l.find(op.ToPosition) >= 0 || l.wasVacated(op.ToPosition)) {
		return Unappliable
	}
	it := l.removeAt(i)
	if op.ToPosition != op.FromPosition {
		l.vacate(op.FromPosition)
	}
	l.setPos(it, op.ToPosition)
	it.clock = op.Clock
	l.insertAt(l.insertIndex(op.ToPosition), it)
	l.recheck()
	return Applied
}
