package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/crdt/yjs"
)

const testAdminToken = "s3cret-admin"

// exchange is one request and its recorded response.
type exchange struct {
	req  *http.Request
	resp *http.Response
	body []byte
}

// client drives a Handler in process and keeps every exchange (for OpenAPI response checks).
type client struct {
	t   *testing.T
	h   http.Handler
	log []exchange
}

func newClient(t *testing.T, h http.Handler) *client { return &client{t: t, h: h} }

// do sends a request; hdr is a list of "Name: value" strings.
func (c *client) do(method, path, body string, hdr ...string) *exchange {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	// a fresh request for the validator (the body was consumed by the handler)
	vreq := httptest.NewRequest(method, path, strings.NewReader(body))
	vreq.Header = req.Header.Clone()
	ex := exchange{req: vreq, resp: resp, body: b}
	c.log = append(c.log, ex)
	return &c.log[len(c.log)-1]
}

// expect checks the status and, when want is not empty, the body (JSON compared structurally).
func (ex *exchange) expect(t *testing.T, status int, want string) *exchange {
	t.Helper()
	if ex.resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", ex.req.Method, ex.req.URL, ex.resp.StatusCode, status, ex.body)
	}
	if want != "" && !jsonEqual(t, ex.body, []byte(want)) {
		t.Fatalf("%s %s: body\n%s\nwant\n%s", ex.req.Method, ex.req.URL, ex.body, want)
	}
	return ex
}

// errorMessage returns the error message of an error body.
func (ex *exchange) errorMessage(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(ex.body, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an error body: %s (%v)", ex.body, err)
	}
	return e.Error.Message
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// fixedClock returns a clock that always reads ms.
func fixedClock(ms int64) func() int64 { return func() int64 { return ms } }

// newTestHandler builds a handler over a fresh MemoryBackend with a fixed clock.
func newTestHandler(t *testing.T, cfg Config, opts ...MemoryOption) (*Handler, *MemoryBackend) {
	t.Helper()
	mem := NewMemoryBackend(append([]MemoryOption{WithClientID(4242), WithClock(fixedClock(1000))}, opts...)...)
	if cfg.Tables == nil {
		cfg.Tables = mem
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, mem
}

// fakeAdmin is an AdminBackend over plain data and a real storage document.
type fakeAdmin struct {
	mu         sync.Mutex
	rooms      map[string][]User
	storage    map[string]*crdt.Doc // nil entry: storage not initialized
	broadcasts []string
	state      map[string]string
}

var _ AdminBackend = (*fakeAdmin)(nil)

func newFakeAdmin(t *testing.T) *fakeAdmin {
	doc, err := crdt.Deserialize([]byte(`{"type":"LiveObject","data":{"todos":{"type":"LiveList","items":[]},"settings":{"type":"LiveMap","entries":{}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	return &fakeAdmin{
		rooms: map[string][]User{
			"lobby": {{ConnectionID: 1, UserID: "alice", DisplayName: "Alice", Color: "#ef4444", ConnectedAt: 10, OnlineStatus: "online", LastActiveAt: 10},
				{ConnectionID: 2, UserID: "bob", DisplayName: "Bob", Color: "#8b5cf6", ConnectedAt: 11, OnlineStatus: "away", LastActiveAt: 12, IsIdle: true,
					Location: json.RawMessage(`{"page":"/"}`)}},
			"empty": nil,
		},
		storage: map[string]*crdt.Doc{"lobby": doc, "empty": nil},
		state:   map[string]string{},
	}
}

func (f *fakeAdmin) room(id string) error {
	if _, ok := f.rooms[id]; !ok {
		return fmt.Errorf("%w: no room %q", ErrNotFound, id)
	}
	return nil
}

func (f *fakeAdmin) Rooms(ctx context.Context) ([]RoomInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []RoomInfo
	for id, users := range f.rooms {
		out = append(out, RoomInfo{ID: id, Size: len(users), Users: users})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeAdmin) RoomUsers(ctx context.Context, room string) ([]User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.room(room); err != nil {
		return nil, err
	}
	return f.rooms[room], nil
}

func (f *fakeAdmin) Broadcast(ctx context.Context, room string, data []byte, exclude []uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.room(room); err != nil {
		return err
	}
	f.broadcasts = append(f.broadcasts, fmt.Sprintf("%s %s exclude=%v", room, data, exclude))
	return nil
}

func (f *fakeAdmin) SetLiveState(ctx context.Context, room, key string, value json.RawMessage) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.room(room); err != nil {
		return false, err
	}
	if key == "locked" {
		return false, nil
	}
	f.state[room+"/"+key] = string(value)
	return true, nil
}

func (f *fakeAdmin) StorageSnapshot(ctx context.Context, room string) (json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.room(room); err != nil {
		return nil, err
	}
	if f.storage[room] == nil {
		return nil, nil
	}
	return f.storage[room].AppendJSON(nil), nil
}

func (f *fakeAdmin) ApplyStorageOps(ctx context.Context, room string, ops StorageOps) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.room(room); err != nil {
		return err
	}
	doc := f.storage[room]
	if doc == nil {
		return fmt.Errorf("%w: storage of room %q is not initialized", ErrConflict, room)
	}
	_, err := doc.Mutate(ops.Apply)
	return err
}

// errBackend is a TableBackend that fails every call with err.
type errBackend struct{ err error }

func (b errBackend) Workspaces(ctx context.Context) ([]string, error) { return nil, b.err }

func (b errBackend) Exec(ctx context.Context, ws string, op *yjs.TableOp) (json.RawMessage, error) {
	return nil, b.err
}

var errBoom = errors.New("disk on fire")
