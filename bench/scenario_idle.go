package bench

import (
	"context"

	"github.com/gobwas/ws"
)

// idleScenario: N connections over rooms of K, each sending only
// {"type":"heartbeat"} every --heartbeat. It measures the connect rate and,
// with --server-pid, the server's resident memory per connection.
type idleScenario struct{}

func (idleScenario) path(r *run, c *client) string { return r.livelyPath(c) }

// onMessage ignores the content: what the server sends an idle client
// (presence, relayed heartbeats on the relay) is only counted.
func (idleScenario) onMessage(*run, *client, ws.OpCode, []byte) {}

func (idleScenario) send(r *run, c *client, _ int64) (bool, error) {
	return true, c.cc.write(r.opt.enc.opcode(), c.senc.heartbeat())
}

func (idleScenario) expectedPerSend(int) int { return 0 }

func (idleScenario) drive(ctx context.Context, r *run) error {
	return r.drivePeriodic(ctx, r.opt.Heartbeat, false, nil)
}
