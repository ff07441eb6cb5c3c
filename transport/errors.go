package transport

import "errors"

// Sentinel errors.
var (
	// ErrClosed is returned by Enqueue once the connection is closing.
	ErrClosed = errors.New("transport: connection closed")
	// ErrSlowConsumer is returned by Enqueue when the outbox is over its
	// bounds; the connection is being closed with ReasonSlowConsumer.
	ErrSlowConsumer = errors.New("transport: slow consumer")
	// ErrTooBig means an inbound message is over the size limit.
	ErrTooBig = errors.New("transport: message too big")
	// ErrProtocol means the peer broke RFC 6455 framing.
	ErrProtocol = errors.New("transport: websocket protocol error")
)

// StatusError rejects an upgrade with an HTTP status (written as the bare
// status line the reference server sends).
type StatusError struct {
	Status int
	Reason string // logged, never sent
	// WSCode, when set, is used instead of Status on y-websocket endpoints:
	// the upgrade completes and the connection is closed with this code.
	// Stock y-websocket providers retry a failed upgrade forever; only a
	// 4400–4499 close stops them.
	WSCode uint16
}

func (e *StatusError) Error() string { return "transport: upgrade rejected: " + e.Reason }
