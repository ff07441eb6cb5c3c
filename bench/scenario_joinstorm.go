package bench

import (
	"context"
	"strconv"
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
	seen []uint64 // bitset of client indexes in the latest presence
	full bool
}

func (joinstormScenario) path(r *run, c *client) string { return r.livelyPath(c) }

func (joinstormScenario) onMessage(r *run, c *client, op ws.OpCode, msg []byte) {
	m := &c.msg
	if !decodeLively(frameEncoding(op), msg, m) || m.kind != kindPresence {
		return
	}
	r.js.presenceMsgs.Add(1)
	r.js.presenceBytes.Add(int64(len(msg)))
	n := len(r.clients)
	v := &c.join
	if v.seen == nil {
		v.seen = make([]uint64, (n+63)/64)
	}
	clear(v.seen)
	count := 0
	prefix := r.runID + "-"
	for _, id := range m.users {
		if len(id) <= len(prefix) || string(id[:len(prefix)]) != prefix {
			continue
		}
		i, err := strconv.Atoi(string(id[len(prefix):]))
		if err != nil || i < 0 || i >= n || v.seen[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		v.seen[i/64] |= 1 << (i % 64)
		count++
	}
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
	r.sample(&r.proc.end)
	r.markSelf(true, time.Now())
	return nil
}
