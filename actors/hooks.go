package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// hookCall is one user hook invocation, queued on a room's hook actor.
type hookCall struct {
	kind    hookKind
	user    User
	sender  string
	msg     json.RawMessage
	storage *StorageChange
}

type hookKind uint8

const (
	hookJoin hookKind = iota
	hookLeave
	hookMessage
	hookStorage
	hookYjs
)

// hookRunner is the per-room actor that calls user hooks in event order, off
// the room's goroutine.
type hookRunner struct {
	roomID  string
	hooks   *Hooks
	logger  *slog.Logger
	metrics *Metrics
	ctx     context.Context
}

func newHookRunnerProps(roomID string, hooks *Hooks, logger *slog.Logger, m *Metrics) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &hookRunner{roomID: roomID, hooks: hooks, logger: logger, metrics: m, ctx: context.Background()}
	})
}

func (h *hookRunner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *hookCall:
		h.handleCall(m)
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		h.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		h.metrics.unexpectedMsg()
	}
}

func (h *hookRunner) handleCall(c *hookCall) {
	defer func() {
		if v := recover(); v != nil {
			h.metrics.hookPanic()
			h.logger.Error("hook panicked", "room", h.roomID, "err", fmt.Sprint(v))
		}
	}()
	switch c.kind {
	case hookJoin:
		if h.hooks.OnJoin != nil {
			h.hooks.OnJoin(h.ctx, h.roomID, c.user)
		}
	case hookLeave:
		if h.hooks.OnLeave != nil {
			h.hooks.OnLeave(h.ctx, h.roomID, c.user)
		}
	case hookMessage:
		if h.hooks.OnMessage != nil {
			h.hooks.OnMessage(h.ctx, h.roomID, c.sender, c.msg)
		}
	case hookYjs:
		if h.hooks.OnYjsChange != nil {
			h.hooks.OnYjsChange(h.ctx, h.roomID, c.msg)
		}
	case hookStorage:
		if h.hooks.OnStorageChange != nil {
			h.hooks.OnStorageChange(h.ctx, h.roomID, *c.storage)
		}
	}
}
