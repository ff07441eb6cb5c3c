package crdt

// Map is a LiveMap: like Object, but a deleted entry stays as a tombstone
// that keeps its clock (and its place in the key order), so a stale remote
// set cannot revive it. Tombstones are invisible to Get, Keys, Len and
// serialization; snapshots therefore lose them.
type Map struct {
	nodeBase
	f    entries
	live int
}

// NewMap returns an empty, detached LiveMap.
func NewMap() *Map { return &Map{} }

func (*Map) isValue() {}

// Len returns the number of live entries.
func (m *Map) Len() int { return m.live }

// Keys returns the live keys in insertion order.
func (m *Map) Keys() []string { return m.f.liveKeys() }

// Has reports whether a live entry exists for key.
func (m *Map) Has(key string) bool {
	i := m.f.find(key)
	return i >= 0 && m.f.e[i].state == stateLive
}

// Get returns the live entry's value, or nil.
func (m *Map) Get(key string) Value {
	if i := m.f.find(key); i >= 0 && m.f.e[i].state == stateLive {
		return m.f.e[i].val.value()
	}
	return nil
}

// AppendJSON appends the node serialized as {"type":"LiveMap","entries":{…}}.
func (m *Map) AppendJSON(dst []byte) []byte { return m.appendJSON(dst) }

func (m *Map) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":"LiveMap","entries":{`...)
	dst = m.f.appendMembers(dst)
	return append(dst, "}}"...)
}

func (m *Map) child(seg string) node { return m.f.liveChild(seg) }

func (m *Map) eachChild(fn func(node)) { m.f.eachChild(fn) }

// Compact drops tombstones, as the reference compact() does locally. Keys
// set later go to the end of the order. It is a local operation (no op).
func (m *Map) Compact() {
	if m.doc != nil && m.doc.mut != nil {
		return // positions are referenced by the open Mutate's undo log
	}
	m.f.keepLive()
}

// Set writes an entry, reviving a tombstone in place. On an attached node
// it must run inside Doc.Mutate; it ticks the clock and records a "set" op.
func (m *Map) Set(key string, v Value) error {
	d, err := m.doc.checkMutating()
	if err != nil {
		return err
	}
	s, err := prepareLocal(m, v)
	if err != nil {
		return err
	}
	clock := d.tick()
	inv := Op{Kind: OpDelete, Key: key}
	if i := m.f.find(key); i >= 0 {
		old := m.f.e[i]
		if old.state == stateLive {
			inv = Op{Kind: OpSet, Key: key, Value: old.val.appendJSON(nil), Clock: old.clock}
		}
		m.f.e[i] = entry{key: key, val: s, clock: clock}
		if old.state == stateLive {
			detachChild(old.val)
		} else {
			m.live++
		}
		d.onUndo(func() {
			detachChild(m.f.e[i].val)
			m.f.e[i] = old
			if old.state == stateLive {
				linkChild(old.val, m, key)
			} else {
				m.live--
			}
		})
	} else {
		m.f.add(entry{key: key, val: s, clock: clock})
		m.live++
		d.onUndo(func() {
			detachChild(s)
			m.f.pop()
			m.live--
		})
	}
	linkChild(s, m, key)
	d.emit(m, Op{Kind: OpSet, Key: key, Value: s.appendJSON(nil), Clock: clock}, inv)
	return nil
}

// Delete tombstones a live entry with a fresh clock and records a "delete"
// op. Deleting a missing or already deleted key does nothing (no tick, no
// op), as in the reference.
func (m *Map) Delete(key string) error {
	d, err := m.doc.checkMutating()
	if err != nil {
		return err
	}
	i := m.f.find(key)
	if i < 0 || m.f.e[i].state != stateLive {
		return nil
	}
	clock := d.tick()
	old := m.f.e[i]
	inv := Op{Kind: OpSet, Key: key, Value: old.val.appendJSON(nil), Clock: old.clock}
	m.tombstone(i, clock)
	d.onUndo(func() {
		m.f.e[i] = old
		m.live++
		linkChild(old.val, m, key)
	})
	d.emit(m, Op{Kind: OpDelete, Key: key, Clock: clock}, inv)
	return nil
}

func (m *Map) tombstone(i int, clock int64) {
	en := &m.f.e[i]
	if en.state == stateLive {
		m.live--
		detachChild(en.val)
	}
	en.state = stateTombstone
	en.val = slot{}
	en.clock = clock
}

// applySet is a remote set: rejected if an entry, live or tombstoned,
// exists with a clock at or above the op's.
func (m *Map) applySet(op *Op) ApplyResult {
	i := m.f.find(op.Key)
	if i >= 0 && op.Clock <= m.f.e[i].clock {
		return Rejected
	}
	s, err := opSlot(op)
	if err != nil {
		return Unappliable
	}
	if i >= 0 {
		en := &m.f.e[i]
		if en.state == stateLive {
			detachChild(en.val)
		} else {
			m.live++
		}
		en.val, en.clock, en.state = s, op.Clock, stateLive
	} else {
		m.f.add(entry{key: op.Key, val: s, clock: op.Clock})
		m.live++
	}
	linkChild(s, m, op.Key)
	return Applied
}

// applyDelete is a remote delete: rejected if the key was never seen (no
// tombstone is created) or its clock is at or above the op's; otherwise the
// entry becomes (or stays) a tombstone with the op's clock.
func (m *Map) applyDelete(op *Op) ApplyResult {
	i := m.f.find(op.Key)
	if i < 0 || op.Clock <= m.f.e[i].clock {
		return Rejected
	}
	m.tombstone(i, op.Clock)
	return Applied
}
