package bench

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// relayHeader is the handshake response header by which the relay baseline
// identifies itself, so that scenarios needing protocol logic can say
// "n/a on relay" instead of timing out.
const (
	relayHeader      = "X-Lively-Bench"
	relayHeaderValue = "relay"
)

// clientConn is one load-generator WebSocket connection. One reader goroutine
// calls readNext; any goroutine may write, writes are serialised by wmu (the
// bench is a client: a lock per socket costs nothing next to the server work
// it measures).
type clientConn struct {
	conn         net.Conn
	fr           *frameReader
	writeTimeout time.Duration
	closing      atomic.Bool

	wmu  sync.Mutex
	wbuf []byte
}

// dialOptions configures dialClient.
type dialOptions struct {
	timeout      time.Duration // connect + handshake
	writeTimeout time.Duration
	maxMessage   int64
}

// dialClient opens a WebSocket to url. relay reports whether the server
// announced itself as the bench relay.
func dialClient(ctx context.Context, url string, o dialOptions) (c *clientConn, relay bool, err error) {
	d := ws.Dialer{
		Timeout: o.timeout,
		OnHeader: func(key, value []byte) error {
			if strings.EqualFold(string(key), relayHeader) && string(value) == relayHeaderValue {
				relay = true
			}
			return nil
		},
	}
	conn, br, _, err := d.Dial(ctx, url)
	if err != nil {
		return nil, false, err
	}
	if br == nil {
		br = bufio.NewReaderSize(conn, 4096)
	}
	return &clientConn{
		conn:         conn,
		fr:           newFrameReader(br, o.maxMessage),
		writeTimeout: o.writeTimeout,
	}, relay, nil
}

// write sends one masked data or control frame.
func (c *clientConn) write(op ws.OpCode, payload []byte) error {
	return c.writeWithin(op, payload, c.writeTimeout)
}

func (c *clientConn) writeWithin(op ws.OpCode, payload []byte, timeout time.Duration) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = appendFrame(c.wbuf[:0], op, payload, true, ws.NewMask())
	if err := c.conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	_, err := c.conn.Write(c.wbuf)
	return err
}

// sendClose marks the connection as closing on our side and sends a normal
// close frame; the reader then sees the server's close reply as expected.
func (c *clientConn) sendClose(timeout time.Duration) error {
	if c.closing.Swap(true) {
		return nil
	}
	return c.writeWithin(ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""), timeout)
}

// readNext returns the next data message, answering pings and the server's
// close on the way. A close by the server (outside our own close) comes back
// as a *closedError.
func (c *clientConn) readNext() (ws.OpCode, []byte, error) {
	return c.readNextInto(nil)
}

// readNextInto is readNext, except that with a non-nil sink a data message
// is streamed into it and returned with a nil payload.
func (c *clientConn) readNextInto(sink pieceSink) (ws.OpCode, []byte, error) {
	for {
		var (
			op  ws.OpCode
			p   []byte
			err error
		)
		if sink != nil {
			op, p, err = c.fr.nextInto(sink)
		} else {
			op, p, err = c.fr.next()
		}
		if err != nil {
			return 0, nil, err
		}
		switch op {
		case ws.OpPing:
			if err := c.write(ws.OpPong, p); err != nil {
				return 0, nil, err
			}
		case ws.OpPong:
		case ws.OpClose:
			code, reason := ws.ParseCloseFrameData(p)
			if !c.closing.Swap(true) {
				// Echo the close as RFC 6455 asks; the socket is going away
				// either way, so a failed echo changes nothing.
				_ = c.write(ws.OpClose, ws.NewCloseFrameBody(code, ""))
			}
			return 0, nil, &closedError{code: code, reason: reason}
		default:
			return op, p, nil
		}
	}
}

// closedError is a close frame received from the server.
type closedError struct {
	code   ws.StatusCode
	reason string
}

func (e *closedError) Error() string {
	if e.reason == "" {
		return "closed by server: code " + strconv.Itoa(int(e.code))
	}
	return "closed by server: code " + strconv.Itoa(int(e.code)) + " " + e.reason
}

// errorKind maps an error to a short, bounded category for the error tally:
// no addresses, ports or other per-connection detail.
func errorKind(err error) string {
	var ce *closedError
	var se ws.StatusError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Error()
	case errors.As(err, &se):
		return "handshake: http status " + strconv.Itoa(int(se))
	case errors.Is(err, errFrameTooBig):
		return "message too big"
	case errors.Is(err, errFrameInvalid):
		return "invalid frame"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without close frame (EOF)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	s := err.Error()
	for _, k := range []string{"connection refused", "connection reset by peer", "broken pipe", "too many open files", "cannot assign requested address", "use of closed network connection"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
