package bench

import (
	"bytes"
	"context"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// joinstormLinger is how long every client must keep holding the full list
// before the storm counts as settled (a later, shorter list resets it).
const joinstormLinger = 250 * time.Millisecond

// joinstormScenario: N clients join one room at once (--connect-concurrency
// defaults to all of them). It reports the time from the first dial until
// every client's latest presence message lists all N userIds, and how many
// presence messages that took (PROTOCOL.md A.2.7 bounds them well under
// N²/4). Needs a Lively server.
//
// A storm delivers gigabytes of presence lists (N lists of up to N entries
// to each of N clients), so the clients scan them as they stream in
// (presenceScanner) and keep nothing of them but a bitset of the userIds
// seen: the load generator must not be what the storm waits for.
type joinstormScenario struct{}

// joinStorm is the run-wide state of a join storm.
type joinStorm struct {
	full          atomic.Int64 // clients whose latest presence lists everyone
	settledAt     atomic.Int64 // stamp when full reached N, 0 while not
	presenceMsgs  atomic.Int64
	presenceBytes atomic.Int64
	settleTime    time.Duration // set by drive once settled
	settled       bool
	finalFull     int64 // full clients when the storm ended, before closing
}

// joinView is one client's view of presence; owned by its reader.
type joinView struct {
	scan presenceScanner
	full bool
}

func (joinstormScenario) path(r *run, c *client) string { return r.livelyPath(c) }

func (joinstormScenario) sink(r *run, c *client) pieceSink {
	c.join.scan.init(r.runID+"-", len(r.clients))
	return &c.join.scan
}

// onMessage runs at the end of each message streamed into the client's
// presenceScanner.
func (joinstormScenario) onMessage(r *run, c *client, _ ws.OpCode, _ []byte) {
	v := &c.join
	count, size, ok := v.scan.finish()
	if !ok {
		return
	}
	r.js.presenceMsgs.Add(1)
	r.js.presenceBytes.Add(size)
	n := len(r.clients)
	full := count == n
	if full == v.full {
		return
	}
	v.full = full
	if full {
		if r.js.full.Add(1) == int64(n) {
			r.js.settledAt.Store(r.now())
		}
		return
	}
	r.js.full.Add(-1)
	r.js.settledAt.Store(0)
}

func (joinstormScenario) send(*run, *client, int64) (bool, error) { return false, nil }

func (joinstormScenario) expectedPerSend(int) int { return 0 }

func (joinstormScenario) drive(ctx context.Context, r *run) error {
	defer r.closeAll()
	// Runs before closeAll: leaving clients shrink everyone's list.
	defer func() { r.js.finalFull = r.js.full.Load() }()
	r.sample(&r.proc.before)
	r.markSelf(false, time.Now())
	t0 := r.now()
	r.winStart.Store(t0)
	r.winEnd.Store(t0 + r.opt.Duration.Microseconds())
	r.connectAll(ctx)
	r.phase.Store(phaseMeasuring)
	n := int64(len(r.clients))
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		at := r.js.settledAt.Load()
		now := r.now()
		if at == 0 && r.js.full.Load() == n {
			// A racing "no longer full" may have cleared the stamp after the
			// last client became full again: take it from here.
			r.js.settledAt.CompareAndSwap(0, now)
			at = r.js.settledAt.Load()
		}
		if at != 0 && r.js.full.Load() == n && now-at >= joinstormLinger.Microseconds() {
			r.js.settled = true
			r.js.settleTime = time.Duration(at-t0) * time.Microsecond
			break
		}
		if now >= r.winEnd.Load() {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
		}
	}
	r.sample(&r.proc.end) // every client still connected: the loaded reading

	r.markSelf(true, time.Now())
	return nil
}

// Sizes of the presence scanner's buffer: pieces of scanPiece bytes after a
// carried tail of at most scanTail (a userId key and its value, split across
// two pieces).
const (
	scanPiece   = 16 << 10
	scanTail    = 128
	scanMaxID   = 64 // longest userId value considered
	scanTypeWin = 64 // the type member must start within this many bytes
)

var (
	jsonUserIDKey = []byte(`"userId"`)
	mpUserIDKey   = []byte("\xa6userId")
	jsonTypeKey   = []byte(`"type"`)
	mpPresence    = []byte("\xa4type\xa8presence")
)

// presenceScanner reads one client's messages as a stream of pieces: it
// recognises a presence message by its leading type member and collects the
// distinct bench userIds ("<runID>-<index>") listed in it into a bitset. It
// holds no message, only its buffer and a tail carried between pieces.
type presenceScanner struct {
	prefix string // runID + "-"
	n      int    // clients in the run
	buf    []byte
	keep   int // bytes of the previous piece carried at the front of buf

	decided  bool // the message's type is known (its first scanTypeWin bytes came)
	presence bool
	msgpack  bool
	size     int64
	count    int
	seen     []uint64 // bit i: userId "<prefix><i>" seen in this message
}

func (s *presenceScanner) init(prefix string, n int) {
	s.prefix, s.n = prefix, n
	s.buf = make([]byte, scanTail+scanPiece)
	s.seen = make([]uint64, (n+63)/64)
}

func (s *presenceScanner) piece() []byte { return s.buf[s.keep:] }

func (s *presenceScanner) gotPiece(op ws.OpCode, n int, first bool) {
	if first {
		s.msgpack = op == ws.OpBinary
		s.decided, s.presence = false, false
		s.size, s.count = 0, 0
		clear(s.seen)
	}
	s.size += int64(n)
	data := s.buf[:s.keep+n]
	if !s.decided {
		if len(data) < scanTypeWin {
			s.keep = len(data) // too little to tell yet
			return
		}
		s.decided, s.presence = true, isPresenceStart(data, s.msgpack)
	}
	if !s.presence {
		s.keep = 0
		return
	}
	s.scan(data)
}

// scan collects the userIds in data and carries its unfinished tail.
func (s *presenceScanner) scan(data []byte) {
	key := jsonUserIDKey
	if s.msgpack {
		key = mpUserIDKey
	}
	pos := 0
	for {
		i := bytes.Index(data[pos:], key)
		if i < 0 {
			break
		}
		start := pos + i
		id, used, st := userIDValue(data[start+len(key):], s.msgpack)
		if st == valueIncomplete && len(data)-start > scanTail {
			st, used = valueInvalid, 0 // padded beyond reason: skip it
		}
		if st == valueIncomplete {
			// Carry the key and its partial value into the next piece.
			s.keep = copy(s.buf, data[start:])
			return
		}
		if st == valueOK {
			s.mark(id)
		}
		pos = start + len(key) + used
	}
	// Carry a tail that may hold the start of a key split across pieces.
	tail := max(pos, len(data)-len(key)+1)
	s.keep = copy(s.buf, data[tail:])
}

// finish ends the current message: count is the number of distinct bench
// userIds it listed, size its payload bytes, ok whether it was a presence
// list.
func (s *presenceScanner) finish() (count int, size int64, ok bool) {
	if !s.decided { // a message shorter than scanTypeWin
		s.decided, s.presence = true, isPresenceStart(s.buf[:s.keep], s.msgpack)
		if s.presence {
			s.scan(s.buf[:s.keep])
		}
	}
	s.keep = 0
	if !s.presence {
		return 0, 0, false
	}
	s.presence = false
	return s.count, s.size, true
}

func (s *presenceScanner) mark(id []byte) {
	if len(id) <= len(s.prefix) || string(id[:len(s.prefix)]) != s.prefix {
		return
	}
	i := 0
	for _, d := range id[len(s.prefix):] {
		if d < '0' || d > '9' || i > s.n {
			return
		}
		i = i*10 + int(d-'0')
	}
	if i >= s.n || s.seen[i/64]&(1<<(i%64)) != 0 {
		return
	}
	s.seen[i/64] |= 1 << (i % 64)
	s.count++
}

// isPresenceStart reports whether the first piece of a message starts a
// presence message: a leading "type" member with the value "presence".
func isPresenceStart(b []byte, msgpack bool) bool {
	if msgpack {
		return bytes.Contains(b[:min(len(b), scanTypeWin)], mpPresence)
	}
	i := bytes.Index(b[:min(len(b), scanTypeWin)], jsonTypeKey)
	if i < 0 {
		return false
	}
	rest := skipJSONSpace(b[i+len(jsonTypeKey):])
	if len(rest) == 0 || rest[0] != ':' {
		return false
	}
	return bytes.HasPrefix(skipJSONSpace(rest[1:]), []byte(`"presence"`))
}

func skipJSONSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

// States of a userId value after its key.
const (
	valueOK         = iota
	valueIncomplete // the piece ends inside it
	valueInvalid    // not a plain string of at most scanMaxID bytes
)

// userIDValue reads the string value after a userId key: `: "…"` in JSON
// (no escapes), a str8 or fixstr in MessagePack. used is how many bytes of
// b it took.
func userIDValue(b []byte, msgpack bool) (id []byte, used, state int) {
	if msgpack {
		if len(b) < 1 {
			return nil, 0, valueIncomplete
		}
		n, h := 0, 1
		switch {
		case b[0]&0xe0 == 0xa0:
			n = int(b[0] & 0x1f)
		case b[0] == 0xd9:
			if len(b) < 2 {
				return nil, 0, valueIncomplete
			}
			n, h = int(b[1]), 2
		default:
			return nil, 1, valueInvalid
		}
		if n > scanMaxID {
			return nil, h, valueInvalid
		}
		if len(b) < h+n {
			return nil, 0, valueIncomplete
		}
		return b[h : h+n], h + n, valueOK
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i == len(b) {
		return nil, 0, valueIncomplete
	}
	if b[i] != ':' {
		return nil, i, valueInvalid
	}
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i == len(b) {
		return nil, 0, valueIncomplete
	}
	if b[i] != '"' {
		return nil, i, valueInvalid
	}
	start := i + 1
	end := bytes.IndexByte(b[start:min(len(b), start+scanMaxID+1)], '"')
	if end < 0 {
		if len(b)-start <= scanMaxID {
			return nil, 0, valueIncomplete
		}
		return nil, start, valueInvalid
	}
	id = b[start : start+end]
	if bytes.IndexByte(id, '\\') >= 0 {
		return nil, start + end + 1, valueInvalid
	}
	return id, start + end + 1, valueOK
}
