package wstest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// Wait is how long helpers wait for an expected event before failing.
const Wait = 10 * time.Second

// Msg is one received data message.
type Msg struct {
	Binary bool
	Data   []byte
	Type   string // the JSON "type" field, if any
}

// Client is one test WebSocket connection.
type Client struct {
	t    testing.TB
	conn net.Conn
	wmu  sync.Mutex
	msgs chan Msg
	done chan struct{}

	mu          sync.Mutex
	closeCode   int // -1: the socket ended without a close frame
	closeReason string
}

// Dial connects to url (ws://…) and starts reading. Failures fail the test.
func Dial(t testing.TB, url string, protocols ...string) *Client {
	t.Helper()
	c, _, err := TryDial(t, url, protocols...)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return c
}

// TryDial connects and returns the handshake error (with the HTTP status for
// rejected upgrades) instead of failing.
func TryDial(t testing.TB, url string, protocols ...string) (*Client, int, error) {
	d := ws.Dialer{Timeout: Wait, Protocols: protocols}
	conn, br, _, err := d.Dial(context.Background(), url)
	if err != nil {
		if se, ok := err.(ws.StatusError); ok {
			return nil, int(se), err
		}
		return nil, 0, err
	}
	if br != nil {
		// Bytes after the handshake: put them in front of the socket.
		buf := make([]byte, br.Buffered())
		_, _ = br.Read(buf) // Read of Buffered() bytes cannot fail
		conn = &prefixConn{Conn: conn, prefix: buf}
	}
	c := &Client{t: t, conn: conn, msgs: make(chan Msg, 1<<16), done: make(chan struct{})}
	go c.readLoop()
	t.Cleanup(func() { c.Close() })
	return c, 101, nil
}

type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

func (c *Client) readLoop() {
	defer close(c.done)
	defer close(c.msgs)
	var msg []byte
	var binaryMsg bool
	for {
		f, err := ws.ReadFrame(c.conn)
		if err != nil {
			c.setClose(-1, err.Error())
			return
		}
		switch f.Header.OpCode {
		case ws.OpPing:
			c.write(ws.NewPongFrame(f.Payload))
		case ws.OpPong:
		case ws.OpClose:
			code, reason := -1, ""
			if len(f.Payload) >= 2 {
				code = int(binary.BigEndian.Uint16(f.Payload))
				reason = string(f.Payload[2:])
			}
			c.setClose(code, reason)
			c.write(ws.NewCloseFrame(f.Payload[:min(2, len(f.Payload))]))
			c.conn.Close()
			return
		case ws.OpText, ws.OpBinary:
			msg = append(msg[:0:0], f.Payload...)
			binaryMsg = f.Header.OpCode == ws.OpBinary
			if !f.Header.Fin {
				continue
			}
			c.deliver(msg, binaryMsg)
		case ws.OpContinuation:
			msg = append(msg, f.Payload...)
			if f.Header.Fin {
				c.deliver(msg, binaryMsg)
			}
		}
	}
}

func (c *Client) deliver(data []byte, bin bool) {
	m := Msg{Binary: bin, Data: data}
	if !bin {
		var env struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(data, &env) // non-JSON messages simply have no type
		m.Type = env.Type
	}
	select {
	case c.msgs <- m:
	default:
		c.t.Errorf("wstest: client buffer overflow")
	}
}

func (c *Client) setClose(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason = code, reason
	}
}

func (c *Client) write(f ws.Frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(Wait))
	return ws.WriteFrame(c.conn, ws.MaskFrame(f))
}

// Send sends a text message.
func (c *Client) Send(s string) {
	c.t.Helper()
	if err := c.write(ws.NewTextFrame([]byte(s))); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// SendBinary sends a binary message.
func (c *Client) SendBinary(b []byte) {
	c.t.Helper()
	if err := c.write(ws.NewBinaryFrame(b)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// Next returns the next message, failing the test after Wait.
func (c *Client) Next() Msg {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			code, reason := c.CloseStatus()
			c.t.Fatalf("wstest: connection closed (%d %q) while waiting for a message", code, reason)
		}
		return m
	case <-time.After(Wait):
		c.t.Fatalf("wstest: no message within %s", Wait)
	}
	return Msg{}
}

// NextOfType skips messages until one of the given type arrives.
func (c *Client) NextOfType(typ string) Msg {
	c.t.Helper()
	return c.Until(typ, func(m Msg) bool { return m.Type == typ })
}

// Until reads messages until fn returns true for one, and returns it.
func (c *Client) Until(what string, fn func(Msg) bool) Msg {
	c.t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				code, reason := c.CloseStatus()
				c.t.Fatalf("wstest: connection closed (%d %q) while waiting for %s", code, reason, what)
			}
			if fn(m) {
				return m
			}
		case <-deadline:
			c.t.Fatalf("wstest: %s did not arrive within %s", what, Wait)
		}
	}
}

// WaitClosed waits for the connection to end and returns the close code
// (-1 when the socket ended without a close frame) and reason.
func (c *Client) WaitClosed() (int, string) {
	c.t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case _, ok := <-c.msgs:
			if !ok {
				<-c.done
				return c.CloseStatus()
			}
		case <-deadline:
			c.t.Fatalf("wstest: connection still open after %s", Wait)
		}
	}
}

// CloseStatus returns the recorded close code and reason (0 while open).
func (c *Client) CloseStatus() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode, c.closeReason
}

// Close closes the connection with 1000 and waits for the reader to exit.
func (c *Client) Close() {
	_ = c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))) // may already be closed
	select {
	case <-c.done:
	case <-time.After(Wait):
	}
	c.conn.Close()
	<-c.done
}

// String describes the client.
func (c *Client) String() string { return fmt.Sprintf("wstest.Client(%s)", c.conn.LocalAddr()) }

// DialNoRead completes a handshake and returns the raw socket without ever
// reading from it: a client that never reads (slow-consumer tests).
func DialNoRead(t testing.TB, url string) net.Conn {
	t.Helper()
	d := ws.Dialer{Timeout: Wait}
	conn, _, _, err := d.Dial(context.Background(), url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TryNext returns the next message if one has already arrived.
func (c *Client) TryNext() (Msg, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	default:
		return Msg{}, false
	}
}

// TryNextWait waits for the next message; ok is false once the connection
// has ended.
func (c *Client) TryNextWait() (Msg, bool) {
	m, ok := <-c.msgs
	return m, ok
}
