package ywstest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultTimeout bounds each command and each Wait helper called with a zero
// timeout.
const DefaultTimeout = 10 * time.Second

// Event is one unsolicited event of the provider, in the order the child
// reported it. Name is one of "status" (Status: "connecting", "connected",
// "disconnected"), "synced" (Synced), "connection-close" (Code, Reason,
// WasClean; Local when the client closed the socket itself),
// "connection-error" (Message), "closed" (the provider gave up reconnecting:
// Code, Reason), "awareness" (Added, Updated, Removed client ids; Local for the
// client's own state), "update" (a document update; Remote when it came from
// the server) and "error" (an uncaught exception in the child: Message).
type Event struct {
	Seq      int      `json:"-"`
	Name     string   `json:"event"`
	Status   string   `json:"status,omitempty"`
	Synced   bool     `json:"synced,omitempty"`
	Code     int      `json:"code,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	WasClean bool     `json:"wasClean,omitempty"`
	Local    bool     `json:"local,omitempty"`
	Remote   bool     `json:"remote,omitempty"`
	Bytes    int      `json:"bytes,omitempty"`
	Added    []uint64 `json:"added,omitempty"`
	Updated  []uint64 `json:"updated,omitempty"`
	Removed  []uint64 `json:"removed,omitempty"`
	Message  string   `json:"message,omitempty"`

	Raw json.RawMessage `json:"-"`
}

func (e Event) String() string { return fmt.Sprintf("#%d %s", e.Seq, e.Raw) }

// Status is the provider's connection state.
type Status struct {
	ClientID               uint64 `json:"clientID"`
	Synced                 bool   `json:"synced"`
	WSConnected            bool   `json:"wsconnected"`
	WSConnecting           bool   `json:"wsconnecting"`
	ShouldConnect          bool   `json:"shouldConnect"`
	UnsuccessfulReconnects int    `json:"unsuccessfulReconnects"`
	URL                    string `json:"url"`
}

type reply struct {
	ok   bool
	err  string
	body json.RawMessage
}

// Client is one stock y-websocket provider in its own Node process.
type Client struct {
	t       testing.TB
	name    string
	timeout time.Duration
	p       *proc
	id      uint64

	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	events  []Event
	changed chan struct{} // closed and replaced on every event
	junk    []string      // stdout lines that were neither replies nor events
}

var clientCount struct {
	sync.Mutex
	n int
}

// Start launches a Node process with a WebsocketProvider for url + "/" + room
// (resyncInterval off, default reconnect behaviour) and returns once the
// provider exists; it does not wait for the connection (see WaitSynced). The
// process is stopped in t.Cleanup. Start fails the test when Node or the npm
// packages are missing; call SkipIfUnavailable first to skip instead.
func Start(t testing.TB, url, room string, opts ...Option) *Client {
	t.Helper()
	dir, err := NodeAvailable()
	if err != nil {
		t.Fatalf("ywstest: %v", err)
	}
	cfg := config{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.name == "" {
		clientCount.Lock()
		clientCount.n++
		cfg.name = fmt.Sprintf("client-%d", clientCount.n)
		clientCount.Unlock()
	}
	c := &Client{t: t, name: cfg.name, timeout: cfg.timeout, pending: map[int]chan reply{}, changed: make(chan struct{})}
	c.p, err = startProc(dir, "client.mjs", c.onLine)
	if err != nil {
		t.Fatalf("ywstest %s: %v", c.name, err)
	}
	t.Cleanup(c.cleanup)
	args := map[string]any{"url": url, "room": room}
	if cfg.clientID != nil {
		args["clientID"] = *cfg.clientID
	}
	if cfg.maxBackoff > 0 {
		args["maxBackoffTime"] = cfg.maxBackoff.Milliseconds()
	}
	if cfg.params != nil {
		args["params"] = cfg.params
	}
	if cfg.headers != nil {
		args["headers"] = cfg.headers
	}
	if cfg.protocols != nil {
		args["protocols"] = cfg.protocols
	}
	if cfg.types != nil {
		args["types"] = cfg.types
	}
	if cfg.noConnect {
		args["connect"] = false
	}
	var r struct {
		ClientID uint64 `json:"clientID"`
	}
	c.do("connect", args, &r)
	c.id = r.ClientID
	return c
}

// Name is the client's label.
func (c *Client) Name() string { return c.name }

// ClientID is the Y.Doc client id, which is also the awareness id.
func (c *Client) ClientID() uint64 { return c.id }

func (c *Client) onLine(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	var head struct {
		ID    *int    `json:"id"`
		Event *string `json:"event"`
		OK    bool    `json:"ok"`
		Error string  `json:"error"`
	}
	if err := json.Unmarshal(line, &head); err != nil || (head.ID == nil && head.Event == nil) {
		c.mu.Lock()
		c.junk = append(c.junk, string(line))
		c.mu.Unlock()
		return
	}
	raw := append(json.RawMessage(nil), line...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if head.Event != nil {
		var ev Event
		_ = json.Unmarshal(raw, &ev) // the head parsed, so the fields do too
		ev.Seq = len(c.events)
		ev.Raw = raw
		c.events = append(c.events, ev)
		close(c.changed)
		c.changed = make(chan struct{})
		return
	}
	if ch, ok := c.pending[*head.ID]; ok {
		delete(c.pending, *head.ID)
		ch <- reply{ok: head.OK, err: head.Error, body: raw}
	}
}

// Call sends one raw command ({"cmd": cmd, ...args}) and returns the reply
// object. It is safe from any goroutine and does not fail the test.
func (c *Client) Call(cmd string, args map[string]any) (json.RawMessage, error) {
	return c.call(cmd, args, c.timeout)
}

func (c *Client) call(cmd string, args map[string]any, timeout time.Duration) (json.RawMessage, error) {
	msg := map[string]any{}
	for k, v := range args {
		msg[k] = v
	}
	ch := make(chan reply, 1)
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	msg["id"] = id
	msg["cmd"] = cmd
	b, err := json.Marshal(msg)
	if err == nil {
		err = c.p.writeLine(b)
	}
	if err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		if !r.ok {
			return nil, fmt.Errorf("node: %s", r.err)
		}
		return r.body, nil
	case <-c.p.done:
		// The reply may have been read just before the exit.
		select {
		case r := <-ch:
			if r.ok {
				return r.body, nil
			}
			return nil, fmt.Errorf("node: %s", r.err)
		default:
		}
		return nil, c.p.exitError()
	case <-timer.C:
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, fmt.Errorf("no reply within %v", timeout)
	}
}

// do runs a command and fails the test on error; out, if not nil, receives
// the reply object.
func (c *Client) do(cmd string, args map[string]any, out any) {
	c.t.Helper()
	body, err := c.call(cmd, args, c.timeout)
	if err != nil {
		c.fatalf("%s: %v", cmd, err)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			c.fatalf("%s: decode reply %s: %v", cmd, body, err)
		}
	}
}

func (c *Client) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf("ywstest %s: %s\n%s", c.name, fmt.Sprintf(format, args...), c.diagnostics())
}

// diagnostics is the tail of the child's stderr and its recent events.
func (c *Client) diagnostics() string {
	var sb strings.Builder
	c.mu.Lock()
	evs := c.events
	if len(evs) > 30 {
		evs = evs[len(evs)-30:]
	}
	sb.WriteString("recent events:\n")
	for _, e := range evs {
		sb.WriteString("  " + e.String() + "\n")
	}
	for _, j := range c.junk {
		sb.WriteString("stdout: " + j + "\n")
	}
	c.mu.Unlock()
	if s := c.Stderr(); s != "" {
		sb.WriteString("node stderr:\n" + s)
	} else {
		sb.WriteString("node stderr: (empty)")
	}
	return sb.String()
}

// Stderr is what the child wrote to stderr so far (the last 256 KiB).
func (c *Client) Stderr() string { return c.p.stderrText() }

func (c *Client) cleanup() {
	if !c.p.exited() {
		// A graceful quit sends the awareness removal and closes the socket.
		_, _ = c.call("quit", nil, 2*time.Second)
		c.p.stop(2 * time.Second)
	}
	if c.t.Failed() {
		c.t.Logf("ywstest %s at cleanup:\n%s", c.name, c.diagnostics())
	}
}

func (c *Client) to(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return c.timeout
	}
	return timeout
}

// InsertText inserts text into the root Y.Text name at index.
func (c *Client) InsertText(name string, index int, text string) {
	c.t.Helper()
	c.do("insertText", map[string]any{"name": name, "index": index, "text": text}, nil)
}

// DeleteText deletes length characters (UTF-16 units) of the root Y.Text
// name at index.
func (c *Client) DeleteText(name string, index, length int) {
	c.t.Helper()
	c.do("deleteText", map[string]any{"name": name, "index": index, "length": length}, nil)
}

// MapSet sets key of the root Y.Map name to the JSON encoding of value.
func (c *Client) MapSet(name, key string, value any) {
	c.t.Helper()
	c.do("mapSet", map[string]any{"name": name, "key": key, "value": value}, nil)
}

// MapDelete deletes key from the root Y.Map name.
func (c *Client) MapDelete(name, key string) {
	c.t.Helper()
	c.do("mapDelete", map[string]any{"name": name, "key": key}, nil)
}

// ArrayPush appends values to the root Y.Array name, in one transaction.
func (c *Client) ArrayPush(name string, values ...any) {
	c.t.Helper()
	c.do("arrayPush", map[string]any{"name": name, "values": nonNil(values)}, nil)
}

// ArrayInsert inserts values into the root Y.Array name at index.
func (c *Client) ArrayInsert(name string, index int, values ...any) {
	c.t.Helper()
	c.do("arrayInsert", map[string]any{"name": name, "index": index, "values": nonNil(values)}, nil)
}

// ArrayDelete deletes length elements of the root Y.Array name at index.
func (c *Client) ArrayDelete(name string, index, length int) {
	c.t.Helper()
	c.do("arrayDelete", map[string]any{"name": name, "index": index, "length": length}, nil)
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// ApplyUpdate applies a Yjs V1 update to the local document as if the
// application made it; the provider sends it to the server.
func (c *Client) ApplyUpdate(update []byte) {
	c.t.Helper()
	c.do("applyUpdate", map[string]any{"update": hex.EncodeToString(update)}, nil)
}

// SetAwareness sets the local awareness state (awareness.setLocalState); nil
// removes it (the provider then sends a null state).
func (c *Client) SetAwareness(state any) {
	c.t.Helper()
	c.do("setAwareness", map[string]any{"state": state}, nil)
}

// SetAwarenessField sets one field of the local awareness state.
func (c *Client) SetAwarenessField(field string, value any) {
	c.t.Helper()
	c.do("setAwarenessField", map[string]any{"field": field, "value": value}, nil)
}

// Disconnect calls provider.disconnect(): the provider sends its awareness
// removal, closes the socket and stays offline until Reconnect. Edits made
// meanwhile are local.
func (c *Client) Disconnect() {
	c.t.Helper()
	c.do("disconnect", nil, nil)
}

// Reconnect calls provider.connect().
func (c *Client) Reconnect() {
	c.t.Helper()
	c.do("connectAgain", nil, nil)
}

// StateJSON is the canonical JSON of the document: an object of root name to
// content (Y.Text as a string, Y.Map as an object, Y.Array as an array,
// Y.XmlFragment as its XML string), object keys sorted at every level. Equal
// documents give equal strings.
func (c *Client) StateJSON() string {
	c.t.Helper()
	var r struct {
		State json.RawMessage `json:"state"`
	}
	c.do("state", nil, &r)
	return string(r.State)
}

// State is StateJSON decoded (numbers as float64).
func (c *Client) State() map[string]any {
	c.t.Helper()
	return decodeState(c, c.StateJSON())
}

func decodeState(c *Client, s string) map[string]any {
	c.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		c.fatalf("state %s: %v", s, err)
	}
	return m
}

// Awareness returns the awareness states the provider knows (its own
// included), by client id, each decoded from JSON.
func (c *Client) Awareness() map[uint64]any {
	c.t.Helper()
	var r struct {
		States map[uint64]any `json:"states"`
	}
	c.do("awareness", nil, &r)
	if r.States == nil {
		r.States = map[uint64]any{}
	}
	return r.States
}

// Status returns the provider's connection state.
func (c *Client) Status() Status {
	c.t.Helper()
	var s Status
	c.do("status", nil, &s)
	return s
}

// EncodeState returns Y.encodeStateAsUpdate(doc) (a V1 update).
func (c *Client) EncodeState() []byte {
	c.t.Helper()
	var r struct {
		Update string `json:"update"`
	}
	c.do("encodeState", nil, &r)
	b, err := hex.DecodeString(r.Update)
	if err != nil {
		c.fatalf("encodeState: %v", err)
	}
	return b
}

// StateVector returns Y.encodeStateVector(doc).
func (c *Client) StateVector() []byte {
	c.t.Helper()
	var r struct {
		StateVector string `json:"stateVector"`
	}
	c.do("stateVector", nil, &r)
	b, err := hex.DecodeString(r.StateVector)
	if err != nil {
		c.fatalf("stateVector: %v", err)
	}
	return b
}

// Quit destroys the provider (it sends its awareness removal and closes the
// socket with a close frame) and waits for the process to exit.
func (c *Client) Quit() {
	c.t.Helper()
	if c.p.exited() {
		return
	}
	if _, err := c.call("quit", nil, c.timeout); err != nil && !errors.Is(err, errExited) && !c.p.exited() {
		c.fatalf("quit: %v", err)
	}
	select {
	case <-c.p.done:
	case <-time.After(c.timeout):
		c.fatalf("quit: node did not exit within %v", c.timeout)
	}
}

// Kill ends the process abruptly (SIGKILL), like a crashed tab: the socket
// drops without a close frame or an awareness removal.
func (c *Client) Kill() {
	c.p.kill()
}

// Exited reports whether the Node process has ended.
func (c *Client) Exited() bool { return c.p.exited() }
