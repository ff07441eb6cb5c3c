package actors

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// Handler handles one custom message type in one room. Its Receive runs on
// the handler's own actor, one message at a time, never on the room's
// goroutine; it may block briefly (it only delays that handler).
type Handler interface {
	Receive(hc *HandlerContext, msg *CustomMessage)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(hc *HandlerContext, msg *CustomMessage)

// Receive calls f.
func (f HandlerFunc) Receive(hc *HandlerContext, msg *CustomMessage) { f(hc, msg) }

// HandlerFactory makes the handler of one room; it is called once per room
// life, the first time that room sees the handler's message type.
type HandlerFactory func(roomID string) Handler

// CustomMessage is a custom client message delivered to a handler.
type CustomMessage struct {
	RoomID       string
	Type         string
	SenderUserID string
	SenderConnID uint64
	// Data is the whole message JSON as the client sent it.
	Data json.RawMessage
}

// HandlerContext lets a handler act on its room. Every call is a message to
// the room actor, applied in order.
type HandlerContext struct {
	roomID string
	room   *actor.PID
	sender actor.SenderContext
	msg    *CustomMessage
}

// RoomID is the handler's room.
func (hc *HandlerContext) RoomID() string { return hc.roomID }

// Reply sends a JSON message to the connection that sent the current message.
func (hc *HandlerContext) Reply(data []byte) {
	hc.sender.Send(hc.room, &handlerOut{data: data, toConn: hc.msg.SenderConnID})
}

// Broadcast sends a JSON message to every connection of the room.
func (hc *HandlerContext) Broadcast(data []byte) {
	hc.sender.Send(hc.room, &handlerOut{data: data, broadcast: true})
}

// BroadcastOthers sends a JSON message to every connection but the sender's.
func (hc *HandlerContext) BroadcastOthers(data []byte) {
	hc.sender.Send(hc.room, &handlerOut{data: data, broadcast: true, exclude: hc.msg.SenderConnID})
}

// SetLiveState sets a live-state key as "__server__" (like the SDK call).
func (hc *HandlerContext) SetLiveState(key string, value json.RawMessage) {
	hc.sender.Send(hc.room, &SetLiveStateRequest{Key: key, Value: value})
}

// handlerDelivery carries one custom message to a handler actor.
type handlerDelivery struct {
	msg *CustomMessage
}

// handlerActor hosts one user Handler for one room.
type handlerActor struct {
	roomID  string
	room    *actor.PID
	handler Handler
	logger  *slog.Logger
	metrics *Metrics
}

func newHandlerProps(roomID string, room *actor.PID, factory HandlerFactory, logger *slog.Logger, m *Metrics) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &handlerActor{roomID: roomID, room: room, handler: factory(roomID), logger: logger, metrics: m}
	})
}

func (h *handlerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *handlerDelivery:
		h.handleDelivery(ctx, m)
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		h.logger.Warn("unexpected message", "type", fmt.Sprintf("%T", m))
		h.metrics.unexpectedMsg()
	}
}

func (h *handlerActor) handleDelivery(ctx actor.Context, d *handlerDelivery) {
	defer func() {
		if v := recover(); v != nil {
			h.metrics.hookPanic()
			h.logger.Error("message handler panicked", "room", h.roomID, "type", d.msg.Type, "err", fmt.Sprint(v))
		}
	}()
	if h.handler == nil {
		return
	}
	h.handler.Receive(&HandlerContext{roomID: h.roomID, room: h.room, sender: ctx, msg: d.msg}, d.msg)
}
