package actors

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/transport"
)

// session is the connection actor: it owns the connection's session state
// (identity, room, the connection handle) and closes the connection when the
// room asks (evictions, sweep removal, shutdown, room failure).
type session struct {
	conn     *transport.Conn
	roomID   string
	identity Identity
	logger   *slog.Logger
	metrics  *Metrics
}

func newSessionProps(c *transport.Conn, roomID string, id Identity, logger *slog.Logger, m *Metrics) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &session{conn: c, roomID: roomID, identity: id, logger: logger, metrics: m}
	})
}

func (s *session) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *kick:
		s.handleKick(m)
	case *closed:
		ctx.Stop(ctx.Self())
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		s.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		s.metrics.unexpectedMsg()
	}
}

func (s *session) handleKick(k *kick) {
	s.logger.Debug("closing connection", "room", s.roomID, "conn", s.conn.ID(), "user", s.identity.UserID, "reason", k.reason.String())
	s.conn.Close(k.reason)
}
