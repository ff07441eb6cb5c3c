package bench

import "errors"

// ErrUsage marks a bad command line or Options value; Run and Compare wrap
// it with the detail.
var ErrUsage = errors.New("bench: usage")

// Framing errors, wrapped with context by the frame reader.
var (
	errFrameTooBig  = errors.New("bench: websocket message too big")
	errFrameInvalid = errors.New("bench: invalid websocket frame")
)

// errNoConnection ends a run in which no client could connect.
var errNoConnection = errors.New("bench: no connection succeeded")
