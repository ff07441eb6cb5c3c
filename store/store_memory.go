package store

import (
	"context"
	"sync"
	"time"
)

// Memory is a Store that keeps everything in process memory. It copies data
// in and out, so callers may reuse their slices. The zero value is not
// usable; call OpenMemory.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	closed bool
	rooms  map[string]*memRoom
}

type memRoom struct {
	snap      Snapshot
	lastSeq   uint64
	changes   []StoredChange
	updatedAt time.Time
}

var (
	_ Store    = (*Memory)(nil)
	_ replacer = (*Memory)(nil)
)

// OpenMemory returns an empty in-memory store.
func OpenMemory() *Memory { return openMemory(time.Now) }

func openMemory(now func() time.Time) *Memory {
	return &Memory{now: now, rooms: make(map[string]*memRoom)}
}

// lock checks ctx, takes the lock and checks that the store is open. On
// success the caller must unlock m.mu.
func (m *Memory) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// Load implements Store.
func (m *Memory) Load(ctx context.Context, roomID string) (*Room, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return nil, err
	}
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	r, ok := m.rooms[roomID]
	if !ok {
		return nil, ErrNotFound
	}
	out := &Room{
		ID: roomID,
		Snapshot: Snapshot{
			Storage: cloneBytes(r.snap.Storage),
			Yjs:     cloneBytes(r.snap.Yjs),
			Seq:     r.snap.Seq,
		},
		Changes:   make([]StoredChange, len(r.changes)),
		UpdatedAt: r.updatedAt,
	}
	for i, c := range r.changes {
		out.Changes[i] = StoredChange{Seq: c.Seq, Kind: c.Kind, Data: cloneBytes(c.Data)}
	}
	return out, nil
}

// Append implements Store.
func (m *Memory) Append(ctx context.Context, roomID string, changes []Change) (uint64, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return 0, err
	}
	if err := validateChanges(changes); err != nil {
		return 0, err
	}
	// Copy before taking the lock: big blobs should not hold it.
	stored := make([]StoredChange, len(changes))
	for i, c := range changes {
		stored[i] = StoredChange{Kind: c.Kind, Data: cloneBytes(c.Data)}
	}
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	r, ok := m.rooms[roomID]
	if len(changes) == 0 {
		if !ok {
			return 0, nil
		}
		return r.lastSeq, nil
	}
	if !ok {
		r = &memRoom{}
		m.rooms[roomID] = r
	}
	for i := range stored {
		r.lastSeq++
		stored[i].Seq = r.lastSeq
	}
	r.changes = append(r.changes, stored...)
	r.updatedAt = millis(m.now())
	return r.lastSeq, nil
}

// WriteSnapshot implements Store.
func (m *Memory) WriteSnapshot(ctx context.Context, roomID string, snap Snapshot) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	snap = Snapshot{Storage: cloneBytes(snap.Storage), Yjs: cloneBytes(snap.Yjs), Seq: snap.Seq}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	r, ok := m.rooms[roomID]
	if !ok {
		r = &memRoom{}
	}
	if err := checkSnapshotSeq(snap.Seq, r.lastSeq, r.snap.Seq); err != nil {
		return err
	}
	keep := r.changes[:0:0]
	for _, c := range r.changes {
		if c.Seq > snap.Seq {
			keep = append(keep, c)
		}
	}
	r.changes = keep
	r.snap = snap
	r.updatedAt = millis(m.now())
	m.rooms[roomID] = r
	return nil
}

func (m *Memory) replaceRoom(ctx context.Context, roomID string, snap Snapshot, updatedAt time.Time) (bool, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return false, err
	}
	snap = Snapshot{Storage: cloneBytes(snap.Storage), Yjs: cloneBytes(snap.Yjs)}
	if err := m.lock(ctx); err != nil {
		return false, err
	}
	defer m.mu.Unlock()
	r, ok := m.rooms[roomID]
	if !ok {
		r = &memRoom{}
		m.rooms[roomID] = r
	}
	snap.Seq = r.lastSeq
	r.snap = snap
	r.changes = nil
	r.updatedAt = millis(updatedAt)
	return ok, nil
}

// List implements Store.
func (m *Memory) List(ctx context.Context) ([]RoomInfo, error) {
	if err := m.lock(ctx); err != nil {
		return nil, err
	}
	out := make([]RoomInfo, 0, len(m.rooms))
	for id, r := range m.rooms {
		info := RoomInfo{
			ID:         id,
			HasStorage: r.snap.Storage != nil,
			HasYjs:     r.snap.Yjs != nil,
			UpdatedAt:  r.updatedAt,
			SizeBytes:  int64(len(r.snap.Storage) + len(r.snap.Yjs)),
		}
		for _, c := range r.changes {
			info.SizeBytes += int64(len(c.Data))
			switch {
			case c.Kind.IsStorage():
				info.HasStorage = true
			case c.Kind == KindYjs:
				info.HasYjs = true
			}
		}
		out = append(out, info)
	}
	m.mu.Unlock()
	sortRoomInfos(out)
	return out, nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, roomID string) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if _, ok := m.rooms[roomID]; !ok {
		return ErrNotFound
	}
	delete(m.rooms, roomID)
	return nil
}

// DeleteAll implements Store.
func (m *Memory) DeleteAll(ctx context.Context) (int, error) {
	if err := m.lock(ctx); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	n := len(m.rooms)
	clear(m.rooms)
	return n, nil
}

// Close implements Store.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.rooms = nil
	return nil
}
