package crdt

import "slices"

// entries is the insertion-ordered key/value store behind Object and Map,
// mirroring a JS Map: re-setting an existing key keeps its place, removing
// a key and setting it again moves it to the end. Small stores are searched
// linearly; an index map is built once they grow.
type entries struct {
	e       []entry
	index   map[string]int32 // key → position in e; nil while small
	holes   int              // removed entries still occupying e
	idxKeys bool             // some key is a JS array index
}

type entryState uint8

const (
	stateLive      entryState = iota
	stateTombstone            // LiveMap: deleted, clock kept
	stateRemoved              // LiveObject: gone; a hole in e
)

type entry struct {
	key   string
	val   slot
	clock int64
	state entryState
}

// indexThreshold is the size above which entries keeps an index map.
const indexThreshold = 8

// find returns the position of key (live or tombstoned), or -1.
func (s *entries) find(key string) int {
	if s.index != nil {
		if i, ok := s.index[key]; ok {
			return int(i)
		}
		return -1
	}
	for i := range s.e {
		if s.e[i].key == key && s.e[i].state != stateRemoved {
			return i
		}
	}
	return -1
}

// add appends a new entry and returns its position.
func (s *entries) add(en entry) int {
	s.e = append(s.e, en)
	i := len(s.e) - 1
	if s.index != nil {
		s.index[en.key] = int32(i)
	} else if len(s.e) > indexThreshold {
		s.buildIndex()
	}
	if !s.idxKeys && isArrayIndex(en.key) {
		s.idxKeys = true
	}
	return i
}

// pop drops the last entry (used to roll back add).
func (s *entries) pop() {
	last := s.e[len(s.e)-1]
	s.e[len(s.e)-1] = entry{}
	s.e = s.e[:len(s.e)-1]
	if s.index != nil {
		delete(s.index, last.key)
	}
}

// remove turns entry i into a hole (LiveObject delete).
func (s *entries) remove(i int) {
	if s.index != nil {
		delete(s.index, s.e[i].key)
	}
	s.e[i].state = stateRemoved
	s.e[i].val = slot{}
	s.holes++
}

// unremove undoes remove, restoring the saved entry.
func (s *entries) unremove(i int, saved entry) {
	s.e[i] = saved
	if s.index != nil {
		s.index[saved.key] = int32(i)
	}
	s.holes--
}

// compact drops holes when they dominate. It must not run while a Mutate
// is open, because the undo log refers to positions.
func (s *entries) compact() {
	if s.holes <= indexThreshold || s.holes*2 < len(s.e) {
		return
	}
	s.keepLive()
}

// keepLive drops every entry that is not live and rebuilds the index.
func (s *entries) keepLive() {
	out := s.e[:0]
	for _, en := range s.e {
		if en.state == stateLive {
			out = append(out, en)
		}
	}
	clear(s.e[len(out):])
	s.e = out
	s.holes = 0
	s.index = nil
	if len(s.e) > indexThreshold {
		s.buildIndex()
	}
}

func (s *entries) buildIndex() {
	s.index = make(map[string]int32, len(s.e)*2)
	for i, en := range s.e {
		if en.state != stateRemoved {
			s.index[en.key] = int32(i)
		}
	}
}

// set stores a freshly deserialized value for key: a duplicate key in the
// JSON replaces the earlier value in place (JSON.parse keeps the last value
// at the first key's position).
func (s *entries) setParsed(key string, v slot) {
	if i := s.find(key); i >= 0 {
		s.e[i].val = v
		return
	}
	s.add(entry{key: key, val: v})
}

// jsOrder reorders freshly deserialized entries the way Object.entries
// lists a parsed JSON object: array-index keys first, ascending.
func (s *entries) jsOrder() {
	if !s.idxKeys {
		return
	}
	slices.SortStableFunc(s.e, func(x, y entry) int {
		xi, yi := isArrayIndex(x.key), isArrayIndex(y.key)
		switch {
		case xi && yi:
			return cmpArrayIndex(x.key, y.key)
		case xi:
			return -1
		case yi:
			return 1
		}
		return 0
	})
	if s.index != nil {
		s.buildIndex()
	}
}

// appendMembers writes the live entries as JSON object members in the
// order JSON.stringify lists a JS object: array-index keys first in numeric
// order, then the other keys in insertion order.
func (s *entries) appendMembers(dst []byte) []byte {
	first := true
	member := func(en *entry) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, en.key)
		dst = append(dst, ':')
		dst = en.val.appendJSON(dst)
	}
	if !s.idxKeys {
		for i := range s.e {
			if s.e[i].state == stateLive {
				member(&s.e[i])
			}
		}
		return dst
	}
	var idx []int
	for i := range s.e {
		if s.e[i].state == stateLive && isArrayIndex(s.e[i].key) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpArrayIndex(s.e[a].key, s.e[b].key) })
	for _, i := range idx {
		member(&s.e[i])
	}
	for i := range s.e {
		if s.e[i].state == stateLive && !isArrayIndex(s.e[i].key) {
			member(&s.e[i])
		}
	}
	return dst
}

// liveKeys returns the live keys in insertion order.
func (s *entries) liveKeys() []string {
	keys := make([]string, 0, len(s.e)-s.holes)
	for i := range s.e {
		if s.e[i].state == stateLive {
			keys = append(keys, s.e[i].key)
		}
	}
	return keys
}

func (s *entries) eachChild(fn func(node)) {
	for i := range s.e {
		if s.e[i].state == stateLive && s.e[i].val.n != nil {
			fn(s.e[i].val.n)
		}
	}
}

// liveChild returns the CRDT node stored live under key, or nil.
func (s *entries) liveChild(key string) node {
	if i := s.find(key); i >= 0 && s.e[i].state == stateLive {
		return s.e[i].val.n
	}
	return nil
}
