package bench

import (
	"context"
	"strconv"

	"github.com/gobwas/ws"
)

// yjsScenario: R documents × C y-websocket clients on /yjs/<doc>. Each client
// answers the server's SyncStep1 with an empty SyncStep2 and sends, at H Hz,
// an update appending "<stamp> " to the root Y.Text "bench"; the other
// members should each receive it as [0,2,update]: expected = sends × (C−1).
type yjsScenario struct{}

func (yjsScenario) path(r *run, c *client) string { return "/yjs/" + r.roomName(c.room) }

func (yjsScenario) onMessage(r *run, c *client, _ ws.OpCode, msg []byte) {
	typ, sub, payload, ok := ywsMessage(msg)
	if !ok || typ != ywsSync {
		return
	}
	switch sub {
	case ywsSyncStep1:
		if err := c.cc.write(ws.OpBinary, []byte(ywsEmptySyncStep2)); err != nil {
			r.fail(c, "sync: ", err)
		}
	case ywsSyncStep2, ywsSyncUpdate:
		if client, s, ok := yFirstString(payload); ok {
			if stamp, ok := leadingInt(s); ok {
				// Client ids are yBase + index (mod 2^32), see newRun.
				from := r.clientAt(int64(uint32(client) - r.yBase))
				r.deliver(c, from, stamp)
			}
		}
	}
}

func (yjsScenario) send(r *run, c *client, stamp int64) (bool, error) {
	var text [24]byte
	b := append(strconv.AppendInt(text[:0], stamp, 10), ' ')
	return true, c.cc.write(ws.OpBinary, c.ytw.insert(b))
}

func (yjsScenario) expectedPerSend(members int) int { return max(members-1, 0) }

func (yjsScenario) drive(ctx context.Context, r *run) error {
	return r.drivePeriodic(ctx, period(r.opt.perClientHz), false, nil)
}

// leadingInt parses the decimal digits at the start of s.
func leadingInt(s []byte) (int64, bool) {
	var v int64
	n := 0
	for ; n < len(s) && n < 18 && s[n] >= '0' && s[n] <= '9'; n++ {
		v = v*10 + int64(s[n]-'0')
	}
	return v, n > 0
}
