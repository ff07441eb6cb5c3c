package transport

// CloseReason says why a connection closed. It maps to a WebSocket close
// code, decides whether queued data is flushed first, and is a bounded metric
// label.
type CloseReason uint8

// Close reasons.
const (
	ReasonNone         CloseReason = iota
	ReasonPeerClosed               // the client sent a close frame
	ReasonReadError                // EOF or a network error while reading
	ReasonWriteError               // a network error while writing
	ReasonShutdown                 // server shutting down (1001)
	ReasonProtocol                 // RFC 6455 violation (1002)
	ReasonTooBig                   // message over the size limit (1009)
	ReasonSlowConsumer             // outbox over its bounds or write deadline hit (1008)
	ReasonStale                    // no pong before the next ping (1001)
	ReasonRateLimited              // over the message rate limit (1008)
	ReasonEvicted                  // replaced by a reconnect of the same user while offline (terminated)
	ReasonRemoved                  // removed by the heartbeat sweep (terminated)
	ReasonBadRequest               // y-websocket: pointless to retry (4400)
	ReasonForbidden                // y-websocket: not allowed (4403)
	ReasonInternal                 // the room failed (1011); clients may retry
	numReasons
)

var reasonInfo = [numReasons]struct {
	name     string
	code     uint16 // 0: no close frame, the socket is terminated
	graceful bool   // flush queued data before the close frame
}{
	ReasonNone:         {"none", 1000, true},
	ReasonPeerClosed:   {"peer_closed", 1000, true},
	ReasonReadError:    {"read_error", 0, false},
	ReasonWriteError:   {"write_error", 0, false},
	ReasonShutdown:     {"shutdown", 1001, true},
	ReasonProtocol:     {"protocol_error", 1002, false},
	ReasonTooBig:       {"message_too_big", 1009, false},
	ReasonSlowConsumer: {"slow_consumer", 1008, false},
	ReasonStale:        {"stale", 1001, false},
	ReasonRateLimited:  {"rate_limited", 1008, false},
	ReasonEvicted:      {"evicted", 0, false},
	ReasonRemoved:      {"removed", 0, false},
	ReasonBadRequest:   {"bad_request", 4400, true},
	ReasonForbidden:    {"forbidden", 4403, true},
	ReasonInternal:     {"internal_error", 1011, true},
}

// String returns the bounded metric label of the reason.
func (r CloseReason) String() string {
	if r < numReasons {
		return reasonInfo[r].name
	}
	return "unknown"
}

// Code is the WebSocket close code sent for this reason; 0 means the socket
// is terminated without a close frame (as the reference does for evictions).
func (r CloseReason) Code() uint16 {
	if r < numReasons {
		return reasonInfo[r].code
	}
	return 1011
}

// Graceful reports whether queued frames are written before the close frame.
func (r CloseReason) Graceful() bool { return r < numReasons && reasonInfo[r].graceful }

// Text is the human-readable reason sent in the close frame.
func (r CloseReason) Text() string {
	switch r {
	case ReasonShutdown:
		return "server shutting down"
	case ReasonTooBig:
		return "message too big"
	case ReasonSlowConsumer:
		return "slow consumer"
	case ReasonStale:
		return "no pong"
	case ReasonRateLimited:
		return "rate limit exceeded"
	case ReasonProtocol:
		return "protocol error"
	case ReasonInternal:
		return "room restarted"
	}
	return ""
}
