package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a change holds. The zero value is invalid.
type Kind uint8

const (
	// KindStorage is a batch of Lively storage CRDT ops: a JSON array of op
	// objects, exactly as applied by the server.
	KindStorage Kind = 1
	// KindStorageInit is a full storage root (a SerializedCrdt JSON object)
	// that replaces the whole storage document.
	KindStorageInit Kind = 2
	// KindYjs is a Yjs V1 update.
	KindYjs Kind = 3
)

// String returns "storage", "storage-init", "yjs" or "kind(N)".
func (k Kind) String() string {
	switch k {
	case KindStorage:
		return "storage"
	case KindStorageInit:
		return "storage-init"
	case KindYjs:
		return "yjs"
	default:
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= KindStorage && k <= KindYjs }

// IsStorage reports whether k changes the storage document.
func (k Kind) IsStorage() bool { return k == KindStorage || k == KindStorageInit }

// Change is one change to append.
type Change struct {
	Kind Kind
	Data []byte
}

// StoredChange is a change as returned by Load.
type StoredChange struct {
	Seq  uint64
	Kind Kind
	Data []byte
}

// Snapshot is the folded state of a room.
type Snapshot struct {
	// Storage is the storage root (SerializedCrdt JSON); nil (or empty)
	// means none.
	Storage []byte
	// Yjs is the whole Yjs document as one merged V1 update; nil (or empty)
	// means none.
	Yjs []byte
	// Seq is the last change folded in: changes with Seq <= this are part of
	// the snapshot. 0 means none.
	Seq uint64
}

// Room is what Load returns.
type Room struct {
	ID       string
	Snapshot Snapshot
	// Changes are the changes with Seq > Snapshot.Seq, in ascending Seq order.
	Changes   []StoredChange
	UpdatedAt time.Time
}

// LastSeq returns the Seq of the last change stored for the room: that of the
// last pending change, or the snapshot's Seq if none is pending. A snapshot
// that folds everything in Load's result must carry this Seq.
func (r *Room) LastSeq() uint64 {
	if n := len(r.Changes); n > 0 {
		return r.Changes[n-1].Seq
	}
	return r.Snapshot.Seq
}

// RoomInfo summarises one room for listings.
type RoomInfo struct {
	ID string
	// HasStorage is true if the snapshot holds a storage root or a storage
	// change is pending.
	HasStorage bool
	// HasYjs is true if the snapshot holds a Yjs document or a Yjs update is
	// pending.
	HasYjs    bool
	UpdatedAt time.Time
	// SizeBytes is the size of the snapshot plus all pending change data.
	SizeBytes int64
}

// Store persists rooms. See the package documentation for the model and the
// concurrency contract.
type Store interface {
	// Load returns the room's snapshot and pending changes, or ErrNotFound
	// when nothing is stored for it.
	Load(ctx context.Context, roomID string) (*Room, error)
	// Append stores changes in one transaction and returns the Seq of the
	// last one; the changes got Seqs lastSeq-len(changes)+1 … lastSeq in
	// order. Appending no changes stores nothing and returns the current last
	// Seq (0 for an unknown room).
	Append(ctx context.Context, roomID string, changes []Change) (lastSeq uint64, err error)
	// WriteSnapshot stores snap and deletes the changes with Seq <= snap.Seq
	// in one transaction. snap.Seq must lie between the stored snapshot's Seq
	// (ErrStaleSnapshot) and the last appended Seq (ErrSnapshotAhead).
	WriteSnapshot(ctx context.Context, roomID string, snap Snapshot) error
	// List returns every stored room, most recently updated first, ties by id
	// (byte order).
	List(ctx context.Context) ([]RoomInfo, error)
	// Delete removes a room and everything stored for it, or returns
	// ErrNotFound. Seqs of a room created again later start over at 1.
	Delete(ctx context.Context, roomID string) error
	// DeleteAll removes every room and returns how many there were.
	DeleteAll(ctx context.Context) (int, error)
	// Close releases the store. Later calls return ErrClosed. Close is
	// idempotent.
	Close() error
}

// MaxRoomIDBytes is the longest room id the store accepts.
const MaxRoomIDBytes = 1024

// DefaultDataDir is the data directory Open uses when Options has none.
const DefaultDataDir = "./.lively-actor"

// SQLiteFileName is the database file OpenDefault creates in the data
// directory.
const SQLiteFileName = "lively.db"

// Options select a backend for Open.
type Options struct {
	// DatabaseURL, when set, selects PostgreSQL
	// (postgres://user@host:port/db?sslmode=disable). It wins over the other
	// fields.
	DatabaseURL string
	// Memory selects the in-memory store (nothing survives the process).
	Memory bool
	// DataDir is where the SQLite file lives. Zero value: DefaultDataDir.
	DataDir string
	// Now is the clock that stamps UpdatedAt. Zero value: time.Now.
	Now func() time.Time
}

// Open opens the backend Options select: PostgreSQL if DatabaseURL is set,
// else memory if Memory is set, else SQLite in DataDir.
func Open(ctx context.Context, opts Options) (Store, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	switch {
	case opts.DatabaseURL != "":
		return openPostgres(ctx, opts.DatabaseURL, now)
	case opts.Memory:
		return openMemory(now), nil
	default:
		dir := opts.DataDir
		if dir == "" {
			dir = DefaultDataDir
		}
		return openDefault(dir, now)
	}
}

// OpenDefault creates dataDir if needed and opens <dataDir>/lively.db.
func OpenDefault(dataDir string) (*SQLite, error) {
	return openDefault(dataDir, time.Now)
}

func openDefault(dataDir string, now func() time.Time) (*SQLite, error) {
	if err := mkdirAll(dataDir); err != nil {
		return nil, err
	}
	return openSQLite(filepath.Join(dataDir, SQLiteFileName), now)
}

// ValidateRoomID returns ErrInvalidRoomID (wrapped) if the store would refuse
// id.
func ValidateRoomID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidRoomID)
	case len(id) > MaxRoomIDBytes:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidRoomID, len(id), MaxRoomIDBytes)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidRoomID)
	case strings.IndexByte(id, 0) >= 0:
		return fmt.Errorf("%w: contains NUL", ErrInvalidRoomID)
	}
	return nil
}

func validateChanges(changes []Change) error {
	for i, c := range changes {
		if !c.Kind.Valid() {
			return fmt.Errorf("%w: change %d has %v", ErrInvalidChange, i, c.Kind)
		}
		if len(c.Data) == 0 {
			return fmt.Errorf("%w: change %d has no data", ErrInvalidChange, i)
		}
	}
	return nil
}

// checkSnapshotSeq applies WriteSnapshot's rules to a room whose last
// assigned Seq is lastSeq and whose stored snapshot has snapSeq.
func checkSnapshotSeq(seq, lastSeq, snapSeq uint64) error {
	if seq > lastSeq {
		return fmt.Errorf("%w: seq %d, last appended %d", ErrSnapshotAhead, seq, lastSeq)
	}
	if seq < snapSeq {
		return fmt.Errorf("%w: seq %d, stored %d", ErrStaleSnapshot, seq, snapSeq)
	}
	return nil
}

// sortRoomInfos puts rooms in List order: UpdatedAt descending, then id.
func sortRoomInfos(rooms []RoomInfo) {
	slices.SortFunc(rooms, func(a, b RoomInfo) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// millis truncates t to the millisecond precision every backend keeps, in
// UTC.
func millis(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// cloneBytes copies b. Empty becomes nil: in a Snapshot both mean "none".
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// replacer is implemented by the backends of this package: it replaces a
// room's whole content (snapshot at the room's last Seq, no pending changes)
// and sets UpdatedAt, for imports. It reports whether the room existed.
type replacer interface {
	replaceRoom(ctx context.Context, roomID string, snap Snapshot, updatedAt time.Time) (existed bool, err error)
}
