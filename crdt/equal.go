package crdt

// Equal reports whether two documents hold the same storage: the same root
// type, the same live keys with equal values in every LiveObject and
// LiveMap (in any order), and the same items with the same positions, in
// the same order, in every LiveList. Plain values compare as their compact
// JSON bytes. Clocks and tombstones are ignored, as a snapshot would.
//
// Key order is deliberately not compared: it follows each replica's local
// insertion order, which differs between replicas in the reference too
// (JS Map order), without being a divergence of content.
func (d *Doc) Equal(o *Doc) bool { return equalNodes(d.root, o.root) }

func equalNodes(a, b node) bool {
	switch a := a.(type) {
	case *Object:
		b, ok := b.(*Object)
		return ok && equalEntries(&a.f, &b.f, a.Len(), b.Len())
	case *Map:
		b, ok := b.(*Map)
		return ok && equalEntries(&a.f, &b.f, a.Len(), b.Len())
	case *List:
		b, ok := b.(*List)
		if !ok || len(a.items) != len(b.items) {
			return false
		}
		for i, x := range a.items {
			y := b.items[i]
			if x.pos != y.pos || !equalSlots(x.val, y.val) {
				return false
			}
		}
		return true
	}
	return false
}

func equalEntries(a, b *entries, alen, blen int) bool {
	if alen != blen {
		return false
	}
	for i := range a.e {
		x := &a.e[i]
		if x.state != stateLive {
			continue
		}
		j := b.find(x.key)
		if j < 0 || b.e[j].state != stateLive || !equalSlots(x.val, b.e[j].val) {
			return false
		}
	}
	return true
}

func equalSlots(a, b slot) bool {
	if a.n == nil || b.n == nil {
		return a.n == nil && b.n == nil && a.raw == b.raw
	}
	return equalNodes(a.n, b.n)
}
