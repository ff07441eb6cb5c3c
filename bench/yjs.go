package bench

// y-websocket framing (PROTOCOL.md Part C) and the one kind of Yjs V1 update
// the harness writes: a client appending a short ASCII string to a root
// Y.Text. Built by hand so the bench needs no Yjs library.

// y-websocket message types and sync sub-types.
const (
	ywsSync      = 0
	ywsAwareness = 1

	ywsSyncStep1  = 0
	ywsSyncStep2  = 1
	ywsSyncUpdate = 2
)

// Yjs struct info bits and the content reference for strings.
const (
	yInfoOrigin    = 0x80
	yInfoRightOrig = 0x40
	yInfoParentSub = 0x20
	yContentString = 4
)

// yTextName is the root Y.Text the bench writes to.
const yTextName = "bench"

// ywsEmptySyncStep2 answers a SyncStep1 with an empty update (no structs, no
// deletes): [sync, step2, varUint8Array([0, 0])].
const ywsEmptySyncStep2 = "\x00\x01\x02\x00\x00"

// ywsEmptySyncStep1 is a SyncStep1 carrying an empty state vector, the
// varUint8Array holding a single varUint 0 (what yjs sends for an empty doc).
const ywsEmptySyncStep1 = "\x00\x00\x01\x00"

func appendVarUint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// readVarUint decodes a lib0 varUint at b[i:]; it returns the index after it.
func readVarUint(b []byte, i int) (uint64, int, bool) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(b) {
			return 0, 0, false
		}
		c := b[i]
		i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i, true
		}
	}
	return 0, 0, false
}

func appendVarString(dst []byte, s string) []byte {
	return append(appendVarUint(dst, uint64(len(s))), s...)
}

// yTextWriter produces the successive inserts of one Yjs client typing into
// the root text: the first item has no origin (start of the text, parent by
// name), every later one has the client's previous last character as origin,
// so each update is valid on its own given the earlier ones.
type yTextWriter struct {
	client uint64 // Yjs client id, below 2^53
	clock  uint64 // next clock
	buf    []byte
	upd    []byte
}

// insert returns the y-websocket message [sync, update, varUint8Array(update)]
// inserting text (ASCII: one clock per byte). The slice is reused.
func (w *yTextWriter) insert(text []byte) []byte {
	u := w.upd[:0]
	u = append(u, 1, 1) // one client section holding one struct
	u = appendVarUint(u, w.client)
	u = appendVarUint(u, w.clock)
	if w.clock == 0 {
		u = append(u, yContentString)
		u = append(u, 1) // parent is a root type, given by name
		u = appendVarString(u, yTextName)
	} else {
		u = append(u, yInfoOrigin|yContentString)
		u = appendVarUint(u, w.client)
		u = appendVarUint(u, w.clock-1)
	}
	u = append(appendVarUint(u, uint64(len(text))), text...)
	u = append(u, 0) // empty delete set
	w.upd = u
	w.clock += uint64(len(text))

	m := append(w.buf[:0], ywsSync, ywsSyncUpdate)
	m = appendVarUint(m, uint64(len(u)))
	w.buf = append(m, u...)
	return w.buf
}

// ywsMessage splits a y-websocket message into type, sync sub-type (for sync
// messages) and payload (the varUint8Array contents for sync messages).
func ywsMessage(b []byte) (typ, sub uint64, payload []byte, ok bool) {
	typ, i, ok := readVarUint(b, 0)
	if !ok {
		return 0, 0, nil, false
	}
	if typ != ywsSync {
		return typ, 0, b[i:], true
	}
	sub, i, ok = readVarUint(b, i)
	if !ok {
		return 0, 0, nil, false
	}
	n, i, ok := readVarUint(b, i)
	if !ok || uint64(len(b)-i) < n {
		return 0, 0, nil, false
	}
	return typ, sub, b[i : i+int(n)], true
}

// yFirstString returns the client id and content of the first struct of a V1
// update when it is a string item, as written by yTextWriter (or by any Yjs
// client).
func yFirstString(u []byte) (uint64, []byte, bool) {
	fail := func() (uint64, []byte, bool) { return 0, nil, false }
	groups, i, ok := readVarUint(u, 0)
	if !ok || groups == 0 {
		return fail()
	}
	structs, i, ok := readVarUint(u, i)
	if !ok || structs == 0 {
		return fail()
	}
	client, i, ok := readVarUint(u, i)
	if !ok {
		return fail()
	}
	if _, i, ok = readVarUint(u, i); !ok { // clock
		return fail()
	}
	if i >= len(u) {
		return fail()
	}
	info := u[i]
	i++
	if info&0x1f != yContentString {
		return fail()
	}
	if info&yInfoOrigin != 0 {
		if i, ok = skipVarUints(u, i, 2); !ok {
			return fail()
		}
	}
	if info&yInfoRightOrig != 0 {
		if i, ok = skipVarUints(u, i, 2); !ok {
			return fail()
		}
	}
	if info&(yInfoOrigin|yInfoRightOrig) == 0 {
		var isKey uint64
		if isKey, i, ok = readVarUint(u, i); !ok {
			return fail()
		}
		if isKey == 1 {
			if _, i, ok = readVarBytes(u, i); !ok {
				return fail()
			}
		} else if i, ok = skipVarUints(u, i, 2); !ok {
			return fail()
		}
		if info&yInfoParentSub != 0 {
			if _, i, ok = readVarBytes(u, i); !ok {
				return fail()
			}
		}
	}
	str, _, ok := readVarBytes(u, i)
	return client, str, ok
}

func skipVarUints(b []byte, i, n int) (int, bool) {
	ok := true
	for range n {
		if _, i, ok = readVarUint(b, i); !ok {
			return 0, false
		}
	}
	return i, true
}

func readVarBytes(b []byte, i int) ([]byte, int, bool) {
	n, i, ok := readVarUint(b, i)
	if !ok || uint64(len(b)-i) < n {
		return nil, 0, false
	}
	return b[i : i+int(n)], i + int(n), true
}
