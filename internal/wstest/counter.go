package wstest

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// PresenceCounter is a cheap client for join storms: it reads everything,
// keeps only the number of users in the latest presence list and the number
// of presence messages, and stores nothing else.
type PresenceCounter struct {
	conn      net.Conn
	latest    atomic.Int64
	presences atomic.Int64
	done      chan struct{}
}

// DialPresenceCounter connects a PresenceCounter; the error is returned, not
// fatal, so it can be called from many goroutines.
func DialPresenceCounter(url string) (*PresenceCounter, error) {
	d := ws.Dialer{Timeout: 30 * time.Second}
	conn, br, _, err := d.Dial(context.Background(), url)
	if err != nil {
		return nil, err
	}
	if br != nil {
		buf := make([]byte, br.Buffered())
		_, _ = br.Read(buf) // Read of Buffered() bytes cannot fail
		conn = &prefixConn{Conn: conn, prefix: buf}
	}
	p := &PresenceCounter{conn: conn, done: make(chan struct{})}
	go p.read()
	return p, nil
}

var presencePrefix = []byte(`{"type":"presence"`)
var userIDKey = []byte(`"userId":`)

// read scans frames through one fixed buffer, counting "userId": in
// presence lists without allocating per frame (a storm delivers hundreds of
// megabytes of lists).
func (p *PresenceCounter) read() {
	defer close(p.done)
	buf := make([]byte, 4096+len(userIDKey))
	for {
		h, err := ws.ReadHeader(p.conn)
		if err != nil {
			return
		}
		if h.OpCode == ws.OpClose {
			return
		}
		remaining := h.Length
		carry := 0
		count := 0
		isPresence := false
		first := true
		for remaining > 0 {
			n := int64(len(buf) - carry)
			if n > remaining {
				n = remaining
			}
			if _, err := io.ReadFull(p.conn, buf[carry:carry+int(n)]); err != nil {
				return
			}
			remaining -= n
			chunk := buf[:carry+int(n)]
			if first {
				isPresence = h.OpCode == ws.OpText && bytes.HasPrefix(chunk, presencePrefix)
				first = false
			}
			if !isPresence {
				carry = 0
				continue
			}
			count += bytes.Count(chunk, userIDKey)
			// keep a tail shorter than the key so a split key is counted once
			keep := len(userIDKey) - 1
			if len(chunk) < keep {
				keep = len(chunk)
			}
			copy(buf, chunk[len(chunk)-keep:])
			carry = keep
		}
		if isPresence {
			p.presences.Add(1)
			p.latest.Store(int64(count))
		}
	}
}

// Latest is the user count of the latest presence list.
func (p *PresenceCounter) Latest() int { return int(p.latest.Load()) }

// Presences is the number of presence messages received.
func (p *PresenceCounter) Presences() int { return int(p.presences.Load()) }

// Close drops the connection and waits for the reader.
func (p *PresenceCounter) Close() {
	p.conn.Close()
	<-p.done
}

// WaitLatest polls until the latest list has n users.
func (p *PresenceCounter) WaitLatest(t testing.TB, n int, total time.Duration) {
	t.Helper()
	deadline := time.Now().Add(total)
	for p.Latest() != n {
		if time.Now().After(deadline) {
			t.Fatalf("latest presence has %d users, want %d", p.Latest(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// RawUpgrade sends a hand-written upgrade request for path to addr and
// returns the response's status line and everything after it, for checking
// the bare rejection responses.
func RawUpgrade(addr, path string) (string, error) {
	nc, err := net.DialTimeout("tcp", addr, Wait)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(Wait))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		return "", err
	}
	var out bytes.Buffer
	buf := make([]byte, 512)
	for {
		n, err := nc.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String(), nil
		}
	}
}
