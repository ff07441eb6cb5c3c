package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite is a Store in one SQLite file, in WAL mode.
//
// Writes go through a pool of one connection that begins every transaction
// with BEGIN IMMEDIATE, so writers of this process queue in Go instead of
// spinning in SQLite's busy handler; other processes (a second server, the
// rooms CLI) wait up to the busy timeout. Reads use a separate pool and never
// block on writers (WAL).
//
// Durability: synchronous=NORMAL. A committed transaction survives a crash of
// the process (SIGKILL included); after a power loss the last commits may be
// missing, but the database is never corrupt and always holds a prefix of the
// committed transactions.
type SQLite struct {
	path   string
	now    func() time.Time
	w      *sql.DB // one connection, BEGIN IMMEDIATE
	r      *sql.DB // read-only connections
	closed atomic.Bool

	insertChange *sql.Stmt
}

var (
	_ Store    = (*SQLite)(nil)
	_ replacer = (*SQLite)(nil)
)

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before failing with SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// sqliteReaders is the size of the read pool.
const sqliteReaders = 4

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// migrates its schema. The directory must exist.
func OpenSQLite(path string) (*SQLite, error) { return openSQLite(path, time.Now) }

func openSQLite(path string, now func() time.Time) (*SQLite, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite path %q: %w", path, err)
	}
	busy := fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds())
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + busy
	w, err := sql.Open("sqlite", base+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &SQLite{path: abs, now: now, w: w}
	if err := s.init(); err != nil {
		_ = w.Close() // the init error is the one to report
		return nil, err
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		_ = s.w.Close() // the open error is the one to report
		return nil, fmt.Errorf("store: open sqlite %s: %w", abs, err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	s.r = r
	return s, nil
}

func (s *SQLite) init() error {
	ctx := context.Background()
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", s.path, err)
	}
	if mode != "wal" {
		return fmt.Errorf("store: open sqlite %s: journal_mode is %q, want wal", s.path, mode)
	}
	if err := migrateSQLite(ctx, s.w); err != nil {
		return fmt.Errorf("store: migrate sqlite %s: %w", s.path, err)
	}
	var err error
	s.insertChange, err = s.w.PrepareContext(ctx,
		"INSERT INTO changes (room_pk, seq, kind, data) VALUES (?, ?, ?, ?)")
	if err != nil {
		return fmt.Errorf("store: prepare sqlite %s: %w", s.path, err)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (s *SQLite) Path() string { return s.path }

// sqliteMigrations returns the schema migrations: entry i brings the schema from
// version i to i+1. Never edit a released entry; append a new one.
func sqliteMigrations() []string {
	return []string{
		// 1: rooms and their pending changes.
		`CREATE TABLE rooms (
			pk           INTEGER PRIMARY KEY,
			id           TEXT    NOT NULL UNIQUE,   -- the room id, as is
			last_seq     INTEGER NOT NULL DEFAULT 0, -- last Seq ever assigned
			snapshot_seq INTEGER NOT NULL DEFAULT 0, -- changes <= this are folded into storage/yjs
			storage      TEXT,                       -- storage root JSON, NULL = none
			yjs          BLOB,                       -- merged Yjs V1 update, NULL = none
			updated_at   INTEGER NOT NULL            -- Unix milliseconds
		);
		CREATE TABLE changes (
			room_pk INTEGER NOT NULL REFERENCES rooms (pk) ON DELETE CASCADE,
			seq     INTEGER NOT NULL,
			kind    INTEGER NOT NULL,               -- 1 storage ops, 2 storage init, 3 yjs update
			data    BLOB    NOT NULL,
			PRIMARY KEY (room_pk, seq)
		);`,
	}
}

func migrateSQLite(ctx context.Context, db *sql.DB) error {
	migrations := sqliteMigrations()
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL -- Unix milliseconds
	)`); err != nil {
		return err
	}
	var version int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: version %d, this program knows %d", ErrSchemaTooNew, version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
			v+1, time.Now().UnixMilli()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *SQLite) check(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// nullBytes turns "none" (nil or empty) into SQL NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullText is nullBytes for TEXT columns, so that sqlite3's JSON functions
// work on the stored root.
func nullText(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Load implements Store.
func (s *SQLite) Load(ctx context.Context, roomID string) (*Room, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return nil, err
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.wrap("load", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var (
		pk, snapSeq, updated int64
		room                 = &Room{ID: roomID}
	)
	err = tx.QueryRowContext(ctx,
		"SELECT pk, snapshot_seq, storage, yjs, updated_at FROM rooms WHERE id = ?", roomID).
		Scan(&pk, &snapSeq, &room.Snapshot.Storage, &room.Snapshot.Yjs, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, s.wrap("load", err)
	}
	room.Snapshot.Seq = uint64(snapSeq)
	room.UpdatedAt = time.UnixMilli(updated).UTC()
	rows, err := tx.QueryContext(ctx,
		"SELECT seq, kind, data FROM changes WHERE room_pk = ? AND seq > ? ORDER BY seq", pk, snapSeq)
	if err != nil {
		return nil, s.wrap("load", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq  int64
			kind uint8
			c    StoredChange
		)
		if err := rows.Scan(&seq, &kind, &c.Data); err != nil {
			return nil, s.wrap("load", err)
		}
		c.Seq, c.Kind = uint64(seq), Kind(kind)
		room.Changes = append(room.Changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("load", err)
	}
	return room, nil
}

// Append implements Store.
func (s *SQLite) Append(ctx context.Context, roomID string, changes []Change) (uint64, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return 0, err
	}
	if err := validateChanges(changes); err != nil {
		return 0, err
	}
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if len(changes) == 0 {
		var last int64
		err := s.r.QueryRowContext(ctx, "SELECT last_seq FROM rooms WHERE id = ?", roomID).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, s.wrap("append", err)
		}
		return uint64(last), nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.wrap("append", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var pk, last int64
	err = tx.QueryRowContext(ctx, `INSERT INTO rooms (id, last_seq, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET last_seq = last_seq + excluded.last_seq, updated_at = excluded.updated_at
		RETURNING pk, last_seq`, roomID, len(changes), s.now().UnixMilli()).Scan(&pk, &last)
	if err != nil {
		return 0, s.wrap("append", err)
	}
	ins := tx.StmtContext(ctx, s.insertChange)
	first := last - int64(len(changes)) + 1
	for i, c := range changes {
		if _, err := ins.ExecContext(ctx, pk, first+int64(i), uint8(c.Kind), c.Data); err != nil {
			return 0, s.wrap("append", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.wrap("append", err)
	}
	return uint64(last), nil
}

// WriteSnapshot implements Store.
func (s *SQLite) WriteSnapshot(ctx context.Context, roomID string, snap Snapshot) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("write snapshot", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var pk, last, snapSeq int64
	err = tx.QueryRowContext(ctx, "SELECT pk, last_seq, snapshot_seq FROM rooms WHERE id = ?", roomID).
		Scan(&pk, &last, &snapSeq)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s.wrap("write snapshot", err)
	}
	if err := checkSnapshotSeq(snap.Seq, uint64(last), uint64(snapSeq)); err != nil {
		return err
	}
	now := s.now().UnixMilli()
	if exists {
		_, err = tx.ExecContext(ctx,
			"UPDATE rooms SET snapshot_seq = ?, storage = ?, yjs = ?, updated_at = ? WHERE pk = ?",
			int64(snap.Seq), nullText(snap.Storage), nullBytes(snap.Yjs), now, pk)
		if err == nil {
			_, err = tx.ExecContext(ctx, "DELETE FROM changes WHERE room_pk = ? AND seq <= ?", pk, int64(snap.Seq))
		}
	} else {
		_, err = tx.ExecContext(ctx,
			"INSERT INTO rooms (id, last_seq, snapshot_seq, storage, yjs, updated_at) VALUES (?, 0, 0, ?, ?, ?)",
			roomID, nullText(snap.Storage), nullBytes(snap.Yjs), now)
	}
	if err != nil {
		return s.wrap("write snapshot", err)
	}
	return s.wrap("write snapshot", tx.Commit())
}

func (s *SQLite) replaceRoom(ctx context.Context, roomID string, snap Snapshot, updatedAt time.Time) (bool, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return false, err
	}
	if err := s.check(ctx); err != nil {
		return false, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrap("import", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var pk int64
	err = tx.QueryRowContext(ctx, "SELECT pk FROM rooms WHERE id = ?", roomID).Scan(&pk)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, s.wrap("import", err)
	}
	ms := updatedAt.UnixMilli()
	if exists {
		_, err = tx.ExecContext(ctx,
			"UPDATE rooms SET snapshot_seq = last_seq, storage = ?, yjs = ?, updated_at = ? WHERE pk = ?",
			nullText(snap.Storage), nullBytes(snap.Yjs), ms, pk)
		if err == nil {
			_, err = tx.ExecContext(ctx, "DELETE FROM changes WHERE room_pk = ?", pk)
		}
	} else {
		_, err = tx.ExecContext(ctx,
			"INSERT INTO rooms (id, storage, yjs, updated_at) VALUES (?, ?, ?, ?)",
			roomID, nullText(snap.Storage), nullBytes(snap.Yjs), ms)
	}
	if err != nil {
		return false, s.wrap("import", err)
	}
	return exists, s.wrap("import", tx.Commit())
}

// List implements Store.
func (s *SQLite) List(ctx context.Context) ([]RoomInfo, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.updated_at,
		r.storage IS NOT NULL OR COALESCE(c.has_storage, 0),
		r.yjs IS NOT NULL OR COALESCE(c.has_yjs, 0),
		COALESCE(octet_length(r.storage), 0) + COALESCE(octet_length(r.yjs), 0) + COALESCE(c.size, 0)
		FROM rooms r LEFT JOIN (
			SELECT room_pk, MAX(kind IN (1, 2)) AS has_storage, MAX(kind = 3) AS has_yjs,
				SUM(octet_length(data)) AS size
			FROM changes GROUP BY room_pk
		) c ON c.room_pk = r.pk`)
	if err != nil {
		return nil, s.wrap("list", err)
	}
	defer rows.Close()
	var out []RoomInfo
	for rows.Next() {
		var (
			info    RoomInfo
			updated int64
		)
		if err := rows.Scan(&info.ID, &updated, &info.HasStorage, &info.HasYjs, &info.SizeBytes); err != nil {
			return nil, s.wrap("list", err)
		}
		info.UpdatedAt = time.UnixMilli(updated).UTC()
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list", err)
	}
	sortRoomInfos(out)
	return out, nil
}

// Delete implements Store.
func (s *SQLite) Delete(ctx context.Context, roomID string) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, "DELETE FROM rooms WHERE id = ?", roomID) // changes cascade
	if err != nil {
		return s.wrap("delete", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap("delete", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteAll implements Store.
func (s *SQLite) DeleteAll(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.wrap("delete all", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, "DELETE FROM changes"); err != nil {
		return 0, s.wrap("delete all", err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM rooms")
	if err != nil {
		return 0, s.wrap("delete all", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap("delete all", err)
	}
	return int(n), s.wrap("delete all", tx.Commit())
}

// Close implements Store. It checkpoints the WAL into the database file.
func (s *SQLite) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	errStmt := s.insertChange.Close()
	errR := s.r.Close()
	errW := s.w.Close()
	if err := errors.Join(errStmt, errR, errW); err != nil {
		return fmt.Errorf("store: close sqlite %s: %w", s.path, err)
	}
	return nil
}

// wrap adds context to a database error; nil stays nil and context errors
// stay recognisable with errors.Is.
func (s *SQLite) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() {
		return fmt.Errorf("store: sqlite %s: %w (%w)", op, ErrClosed, err)
	}
	return fmt.Errorf("store: sqlite %s: %w", op, err)
}

func mkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store: create data dir: %w", err)
	}
	return nil
}
