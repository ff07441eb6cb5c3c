package bench

import (
	"bufio"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gobwas/ws"
	"github.com/vmihailenco/msgpack/v5"
)

// fakeLively speaks just enough of the Lively protocol for the harness's own
// tests: presence list broadcast to all on join and leave, storage:init root
// null on join (then the stored root), the first storage:init seeds and is
// broadcast, storage:ops broadcast to all with a clock, cursor:update
// relayed to others in the server's {"cursor":{...}} shape. JSON or msgpack
// per connection (?encoding=msgpack). Test code: messages are plain maps.
type fakeLively struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	rooms map[string]*fakeRoom
	conns map[*fakeConn]struct{}
}

type fakeRoom struct {
	members []*fakeConn
	root    any // nil: storage not initialised
	clock   int64
}

type fakeConn struct {
	conn    net.Conn
	userID  string
	msgpack bool
	wmu     sync.Mutex
}

// startFakeLively serves on 127.0.0.1:0 until the test ends.
func startFakeLively(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLively{ln: ln, rooms: map[string]*fakeRoom{}, conns: map[*fakeConn]struct{}{}}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				f.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for c := range f.conns {
			c.conn.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return "ws://" + ln.Addr().String()
}

func (f *fakeLively) serve(conn net.Conn) {
	defer conn.Close()
	var roomID string
	c := &fakeConn{conn: conn}
	u := ws.Upgrader{OnRequest: func(uri []byte) error {
		p, err := url.ParseRequestURI(string(uri))
		if err != nil || !strings.HasPrefix(p.Path, "/rooms/") {
			return ws.RejectConnectionError(ws.RejectionStatus(404))
		}
		roomID = strings.TrimPrefix(p.Path, "/rooms/")
		c.userID = p.Query().Get("userId")
		c.msgpack = p.Query().Get("encoding") == "msgpack"
		return nil
	}}
	if _, err := u.Upgrade(conn); err != nil {
		return
	}
	f.mu.Lock()
	room := f.rooms[roomID]
	if room == nil {
		room = &fakeRoom{}
		f.rooms[roomID] = room
	}
	room.members = append(room.members, c)
	f.conns[c] = struct{}{}
	f.broadcastPresence(room)
	c.send(map[string]any{"type": "storage:init", "root": room.root})
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		for i, m := range room.members {
			if m == c {
				room.members = append(room.members[:i], room.members[i+1:]...)
				break
			}
		}
		f.broadcastPresence(room)
		f.mu.Unlock()
	}()
	fr := newFrameReader(bufio.NewReader(conn), 1<<20)
	for {
		op, p, err := fr.next()
		if err != nil {
			return
		}
		switch op {
		case ws.OpClose:
			c.write(ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
			return
		case ws.OpPing:
			c.write(ws.OpPong, p)
		case ws.OpText, ws.OpBinary:
			var m map[string]any
			if op == ws.OpBinary {
				err = msgpack.Unmarshal(p, &m)
			} else {
				err = json.Unmarshal(p, &m)
			}
			if err != nil {
				continue
			}
			f.mu.Lock()
			f.handle(room, c, m)
			f.mu.Unlock()
		}
	}
}

// handle applies one client message; f.mu is held.
func (f *fakeLively) handle(room *fakeRoom, c *fakeConn, m map[string]any) {
	switch m["type"] {
	case "storage:init":
		if room.root == nil && m["root"] != nil {
			room.root = m["root"]
			for _, o := range room.members {
				o.send(map[string]any{"type": "storage:init", "root": room.root})
			}
		}
	case "storage:ops":
		if room.root == nil {
			return
		}
		room.clock++
		for _, o := range room.members {
			o.send(map[string]any{"type": "storage:ops", "ops": m["ops"], "clock": room.clock})
		}
	case "cursor:update":
		cur := map[string]any{"userId": c.userID, "displayName": "x", "color": "#ef4444", "x": m["x"], "y": m["y"], "lastUpdate": 1}
		for _, o := range room.members {
			if o != c {
				o.send(map[string]any{"type": "cursor:update", "cursor": cur})
			}
		}
	}
}

// broadcastPresence sends the room's user list to every member; f.mu is held.
func (f *fakeLively) broadcastPresence(room *fakeRoom) {
	users := make([]any, 0, len(room.members))
	for _, m := range room.members {
		users = append(users, map[string]any{"userId": m.userID, "displayName": "x", "onlineStatus": "online"})
	}
	for _, m := range room.members {
		m.send(map[string]any{"type": "presence", "users": users})
	}
}

func (c *fakeConn) send(m map[string]any) {
	if c.msgpack {
		b, err := msgpack.Marshal(m)
		if err == nil {
			c.write(ws.OpBinary, b)
		}
		return
	}
	b, err := json.Marshal(m)
	if err == nil {
		c.write(ws.OpText, b)
	}
}

// write sends one frame; a failed write means the peer is gone, which its
// reader notices on its own.
func (c *fakeConn) write(op ws.OpCode, p []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, _ = c.conn.Write(appendFrame(nil, op, p, false, [4]byte{}))
}
