package rest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/lively-actor/lively/crdt/yjs"
)

// MemoryBackend is a TableBackend over in-memory Yjs documents, one per workspace, guarded by a
// mutex (the mutex plays the room actor: one operation at a time per backend). It is real: writes
// go through yjs.TableOp like the server's, so tests and embedders get the exact same documents.
type MemoryBackend struct {
	mu       sync.Mutex
	docs     map[string]*yjs.Doc
	clientID uint64
	now      func() int64
	onUpdate func(ws string, update []byte)
}

var _ TableBackend = (*MemoryBackend)(nil)

// MemoryOption configures a MemoryBackend.
type MemoryOption func(*MemoryBackend)

// WithClock sets the write clock (Unix ms); default time.Now.
func WithClock(now func() int64) MemoryOption { return func(m *MemoryBackend) { m.now = now } }

// WithClientID sets the Yjs client id of the backend's writes; default a random 53-bit id.
func WithClientID(id uint64) MemoryOption { return func(m *MemoryBackend) { m.clientID = id } }

// WithOnUpdate registers a function called with every update a write produced, while the
// backend's lock is held (it must not call the backend).
func WithOnUpdate(fn func(ws string, update []byte)) MemoryOption {
	return func(m *MemoryBackend) { m.onUpdate = fn }
}

// NewMemoryBackend returns an empty backend.
func NewMemoryBackend(opts ...MemoryOption) *MemoryBackend {
	m := &MemoryBackend{docs: map[string]*yjs.Doc{}, clientID: rand.Uint64N(1 << 53),
		now: func() int64 { return time.Now().UnixMilli() }}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Workspaces lists the workspaces that have a document, sorted.
func (m *MemoryBackend) Workspaces(ctx context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.docs))
	for ws := range m.docs {
		out = append(out, ws)
	}
	sort.Strings(out)
	return out, nil
}

// Exec runs op on the workspace's document; a write creates the workspace, a read of a missing
// one sees an empty document.
func (m *MemoryBackend) Exec(ctx context.Context, ws string, op *yjs.TableOp) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	doc := m.docs[ws]
	if doc == nil {
		doc = yjs.NewDoc()
		if op.Kind.Writes() {
			m.docs[ws] = doc
		}
	}
	res, update, err := op.Apply(doc, m.clientID, m.now())
	if update != nil && m.onUpdate != nil {
		m.onUpdate(ws, update)
	}
	return res, err
}

// ApplyUpdate merges an update from another replica (a client edit) into the workspace's
// document, creating it if needed.
func (m *MemoryBackend) ApplyUpdate(ws string, update []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	doc := m.docs[ws]
	if doc == nil {
		doc = yjs.NewDoc()
	}
	if err := doc.Apply(update); err != nil {
		return err
	}
	m.docs[ws] = doc
	return nil
}

// EncodeState returns the workspace's whole document as one update (nil for a missing workspace).
func (m *MemoryBackend) EncodeState(ws string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	doc := m.docs[ws]
	if doc == nil {
		return nil, nil
	}
	return doc.EncodeStateAsUpdate(nil)
}
