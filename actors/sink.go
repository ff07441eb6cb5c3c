package actors

import (
	"errors"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/transport"
)

// admission is a reserved place in a room, held across the handshake.
type admission struct {
	sys      *System
	roomID   string
	room     *actor.PID
	identity Identity
	yws      bool
	once     sync.Once
}

var _ transport.Admission = (*admission)(nil)

// Attach spawns the session and joins the room. The join is sent from the
// reader's goroutine before any inbound message, so the room sees it first.
func (a *admission) Attach(c *transport.Conn, binary bool) transport.FrameSink {
	s := a.sys
	pid := s.root.Spawn(s.sessionProps)
	s.root.Send(pid, &sessionStart{conn: c, room: a.room, roomID: a.roomID, identity: a.identity})
	s.root.Send(a.room, &join{conn: c, session: pid, identity: a.identity, binary: binary, yws: a.yws})
	if a.yws {
		return &ywsSink{sys: s, room: a.room, session: pid}
	}
	sk := &sink{sys: s, room: a.room, session: pid, binary: binary}
	if s.cfg.RateLimit > 0 {
		sk.tokens = float64(s.cfg.RateBurst)
		sk.last = time.Now()
	}
	return sk
}

// Cancel releases the reservation after a failed handshake.
func (a *admission) Cancel() {
	a.once.Do(func() { a.sys.root.Send(a.room, &cancelAdmit{}) })
}

// sink decodes a connection's frames on its reader goroutine and sends the
// typed messages to the room. Its fields are touched only by that goroutine.
type sink struct {
	sys     *System
	room    *actor.PID
	session *actor.PID
	binary  bool

	tokens float64
	last   time.Time
}

var _ transport.FrameSink = (*sink)(nil)

func (s *sink) OnMessage(c *transport.Conn, op transport.OpCode, payload []byte) {
	var (
		msg *codec.Inbound
		err error
	)
	if op == transport.OpBinary && s.binary {
		msg, err = codec.DecodeMsgpack(payload)
	} else {
		msg, err = codec.DecodeJSON(payload)
	}
	if err != nil {
		s.sys.cfg.Metrics.Dropped(codec.Reason(err))
		s.sys.cfg.Logger.Debug("dropped client message", "conn", c.ID(), "reason", codec.Reason(err), "err", err)
		return
	}
	if s.sys.cfg.RateLimit > 0 && !s.allow() {
		s.sys.cfg.Logger.Info("rate limit exceeded; closing connection", "conn", c.ID())
		c.Close(transport.ReasonRateLimited)
		return
	}
	s.sys.root.Send(s.room, &inbound{connID: c.ID(), msg: msg})
}

func (s *sink) allow() bool {
	now := time.Now()
	s.tokens += now.Sub(s.last).Seconds() * s.sys.cfg.RateLimit
	s.last = now
	if max := float64(s.sys.cfg.RateBurst); s.tokens > max {
		s.tokens = max
	}
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

func (s *sink) OnClose(c *transport.Conn, reason transport.CloseReason) {
	s.sys.root.Send(s.room, &leave{connID: c.ID(), reason: reason})
	s.sys.root.Send(s.session, &closed{})
}

// ywsSink decodes a y-websocket connection's binary frames (lib0 framing)
// on its reader goroutine and sends them to the room.
type ywsSink struct {
	sys     *System
	room    *actor.PID
	session *actor.PID
}

var _ transport.FrameSink = (*ywsSink)(nil)

func (s *ywsSink) OnMessage(c *transport.Conn, op transport.OpCode, payload []byte) {
	if op != transport.OpBinary {
		s.sys.cfg.Metrics.Dropped("yws_text_frame")
		return
	}
	msg, err := codec.DecodeYMessage(payload)
	if err != nil {
		if errors.Is(err, codec.ErrYwsUnknownType) {
			return // unknown message types are ignored (PROTOCOL.md C.3)
		}
		s.sys.cfg.Metrics.Dropped("bad_yws_frame")
		s.sys.cfg.Logger.Debug("dropped y-websocket frame", "conn", c.ID(), "err", err)
		return
	}
	s.sys.root.Send(s.room, &ywsInbound{connID: c.ID(), msg: msg})
}

func (s *ywsSink) OnClose(c *transport.Conn, reason transport.CloseReason) {
	s.sys.root.Send(s.room, &leave{connID: c.ID(), reason: reason})
	s.sys.root.Send(s.session, &closed{})
}
