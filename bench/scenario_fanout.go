package bench

import (
	"context"

	"github.com/gobwas/ws"
)

// fanoutScenario: R rooms × C clients, each sending cursor:update at H Hz
// (or, with --rate max, as fast as deliveries keep up). The cursor's x is the
// send stamp (µs since the run's epoch) and y the sender's index; every other
// member of the room should receive each cursor, so expected = sends × (C−1).
type fanoutScenario struct{}

func (fanoutScenario) path(r *run, c *client) string { return r.livelyPath(c) }

func (fanoutScenario) onMessage(r *run, c *client, op ws.OpCode, msg []byte) {
	if !decodeLively(frameEncoding(op), msg, &c.msg) {
		return
	}
	if c.msg.kind == kindCursor && c.msg.hasStamp {
		var from *client
		if c.msg.hasSender {
			from = r.clientAt(c.msg.sender)
		}
		r.deliver(c, from, c.msg.stamp)
	}
}

func (fanoutScenario) send(r *run, c *client, stamp int64) (bool, error) {
	return true, c.cc.write(r.opt.enc.opcode(), c.senc.cursor(stamp, int64(c.idx)))
}

func (fanoutScenario) expectedPerSend(members int) int { return max(members-1, 0) }

func (fanoutScenario) drive(ctx context.Context, r *run) error {
	return r.drivePeriodic(ctx, period(r.opt.perClientHz), true, nil)
}

// frameEncoding tells how a Lively message is encoded from its frame type:
// msgpack travels in binary frames, JSON in text frames.
func frameEncoding(op ws.OpCode) encoding {
	if op == ws.OpBinary {
		return encodingMsgpack
	}
	return encodingJSON
}
