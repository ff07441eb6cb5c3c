package bench

import (
	"context"
	"strconv"
	"time"

	"github.com/gobwas/ws"
)

// storageReadyTimeout bounds the wait for every client's storage:init.
const storageReadyTimeout = 10 * time.Second

// storageScenario: R rooms × C clients send storage:ops (one set on the
// LiveObject root, key "c<seat>", value = send stamp) at H Hz once their
// storage is loaded. The server broadcasts every storage:ops to all members,
// the sender included: expected = sends × C, and the latency is the echo
// latency. The first client of a room seeds the root with an empty
// LiveObject when the server reports root null. Needs a Lively server.
type storageScenario struct{}

func (storageScenario) path(r *run, c *client) string { return r.livelyPath(c) }

func (storageScenario) onMessage(r *run, c *client, op ws.OpCode, msg []byte) {
	m := &c.msg
	if !decodeLively(frameEncoding(op), msg, m) {
		return
	}
	switch m.kind {
	case kindStorageInit:
		if !m.rootNull {
			c.ready.Store(true)
			return
		}
		if c.seat == 0 && !c.initSent.Swap(true) {
			if err := c.cc.write(r.opt.enc.opcode(), c.renc.storageInit()); err != nil {
				r.fail(c, "storage:init: ", err)
			}
		}
	case kindStorageOps:
		for cur := c.clock.Load(); m.clock > cur && !c.clock.CompareAndSwap(cur, m.clock); cur = c.clock.Load() {
		}
		if m.hasStamp {
			r.deliver(c, r.storageSender(c, m.key), m.stamp)
		}
	}
}

func (storageScenario) send(r *run, c *client, stamp int64) (bool, error) {
	if !c.ready.Load() {
		return false, nil
	}
	clock := c.clock.Add(1)
	msg := c.senc.storageSet("c"+strconv.Itoa(c.seat), stamp, clock)
	return true, c.cc.write(r.opt.enc.opcode(), msg)
}

func (storageScenario) expectedPerSend(members int) int { return members }

func (storageScenario) drive(ctx context.Context, r *run) error {
	return r.drivePeriodic(ctx, period(r.opt.perClientHz), true, r.waitStorageReady)
}

// storageSender maps an op key "c<seat>" to the client in c's room.
func (r *run) storageSender(c *client, key []byte) *client {
	if len(key) < 2 || key[0] != 'c' {
		return nil
	}
	seat, err := strconv.Atoi(string(key[1:]))
	room := r.rooms[c.room]
	if err != nil || seat < 0 || seat >= len(room) {
		return nil
	}
	return room[seat]
}

// waitStorageReady waits until every connected client holds a non-null
// storage root; clients still without one are counted as errors.
func (r *run) waitStorageReady(ctx context.Context) {
	deadline := time.Now().Add(storageReadyTimeout)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		waiting := 0
		for _, c := range r.clients {
			if c.alive.Load() && !c.ready.Load() {
				waiting++
			}
		}
		if waiting == 0 {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			for range waiting {
				r.errs.add("storage: no storage root within " + storageReadyTimeout.String())
			}
			return
		}
		select {
		case <-ctx.Done():
		case <-poll.C:
		}
	}
}
