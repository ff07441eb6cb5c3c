package crdt

// maxVacated bounds how many emptied positions a list remembers.
const maxVacated = 1024

// vacated remembers the last maxVacated positions that a list-delete or a
// list-move emptied. Sequence refuses a list-insert or list-move onto such
// a position: a client that generated it before it learned of the earlier
// item at the same position dropped that item as a duplicate, so its list
// no longer matches (see applyInsert).
type vacated struct {
	set  map[string]struct{}
	ring []string
	next int
}

func (l *List) vacate(pos string) {
	v := l.vac
	if v == nil {
		v = &vacated{set: make(map[string]struct{})}
		l.vac = v
	}
	if _, ok := v.set[pos]; ok {
		return
	}
	if len(v.ring) < maxVacated {
		v.ring = append(v.ring, pos)
	} else {
		delete(v.set, v.ring[v.next])
		v.ring[v.next] = pos
		v.next = (v.next + 1) % maxVacated
	}
	v.set[pos] = struct{}{}
}

func (l *List) wasVacated(pos string) bool {
	if l.vac == nil {
		return false
	}
	_, ok := l.vac.set[pos]
	return ok
}
