package yjs

// ytype is a shared type (Y.Array, Y.Map, Y.Text, XML types, or an untyped root) inside a Doc.
// Like a yjs AbstractType it holds both a list (start) and a map of keys (m -> the current entry;
// older entries are reachable through left). mkeys keeps the keys in first-insertion order, the
// iteration order of the JS Map.
type ytype struct {
	item    *block // the item that created the type; nil for a root type
	name    string // root types: the name under which the type is shared
	typeRef uint64 // for nested types: the type ref of its ContentType
	start   *block
	m       map[string]*block
	mkeys   []string
	length  uint64 // countable, non-deleted list content
}

func newYType() *ytype { return &ytype{m: make(map[string]*block)} }

func (t *ytype) setMapEntry(key string, b *block) {
	if _, ok := t.m[key]; !ok {
		t.mkeys = append(t.mkeys, key)
	}
	t.m[key] = b
}

// mapEntries returns the current entry of every key in JS Map order.
func (t *ytype) mapEntries() []*block {
	out := make([]*block, 0, len(t.mkeys))
	for _, k := range t.mkeys {
		if b := t.m[k]; b != nil {
			out = append(out, b)
		}
	}
	return out
}
