package crdt

// History models the stock client's undo/redo stacks (B.2.8), so that a
// client model sends the same ops on undo and redo as the stock client.
// Record one entry per local change or batch (the ops and inverse
// MutateWithInverse returned); Undo and Redo hand back the ops to pass to
// Doc.ApplyLocalOps, whose result is what the client sends in one
// storage:ops message. The zero value is unusable; use NewHistory.
type History struct {
	undo, redo []historyEntry
	max        int
}

type historyEntry struct {
	forward, inverse []Op
}

// DefaultHistoryEntries is the stock client's history size.
const DefaultHistoryEntries = 100

// NewHistory returns an empty history that keeps at most max entries
// (DefaultHistoryEntries if max <= 0), dropping the oldest first.
func NewHistory(max int) *History {
	if max <= 0 {
		max = DefaultHistoryEntries
	}
	return &History{max: max}
}

// Record pushes an undo entry and clears the redo stack. An entry without
// ops is ignored, as the reference ignores an empty batch.
func (h *History) Record(forward, inverse []Op) {
	if len(forward) == 0 {
		return
	}
	h.undo = append(h.undo, historyEntry{forward: forward, inverse: inverse})
	if len(h.undo) > h.max {
		h.undo[0] = historyEntry{}
		h.undo = h.undo[1:]
	}
	clear(h.redo)
	h.redo = h.redo[:0]
}

// Undo pops the last entry onto the redo stack and returns its inverse
// ops, or nil if there is nothing to undo.
func (h *History) Undo() []Op {
	if len(h.undo) == 0 {
		return nil
	}
	e := h.undo[len(h.undo)-1]
	h.undo = h.undo[:len(h.undo)-1]
	h.redo = append(h.redo, e)
	return e.inverse
}

// Redo pops the last undone entry back onto the undo stack and returns its
// forward ops, or nil if there is nothing to redo.
func (h *History) Redo() []Op {
	if len(h.redo) == 0 {
		return nil
	}
	e := h.redo[len(h.redo)-1]
	h.redo = h.redo[:len(h.redo)-1]
	h.undo = append(h.undo, e)
	return e.forward
}

// CanUndo reports whether Undo has an entry.
func (h *History) CanUndo() bool { return len(h.undo) > 0 }

// CanRedo reports whether Redo has an entry.
func (h *History) CanRedo() bool { return len(h.redo) > 0 }

// ApplyLocalOps is the stock client's applyLocalOps (used for undo and
// redo): each op is copied with a fresh tick of the document clock as its
// clock and applied like a remote op (LWW rules included, without a clock
// merge), and the copies are returned for sending in one storage:ops
// message, whether or not they applied. It returns nil if called inside
// Mutate.
func (d *Doc) ApplyLocalOps(ops []Op) []Op {
	if d.mut != nil || len(ops) == 0 {
		return nil
	}
	out := make([]Op, len(ops))
	for i := range ops {
		op := ops[i]
		op.Raw, op.clockStart, op.clockEnd = nil, 0, 0
		op.Clock = d.tick()
		d.apply(&op, false)
		out[i] = op
	}
	return out
}
