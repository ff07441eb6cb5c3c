package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is a Store in a PostgreSQL database (tables lively_rooms,
// lively_changes and lively_schema_version, in the connection's search_path).
// Several processes may share one database: Append takes the room row's lock
// (INSERT … ON CONFLICT DO UPDATE), so concurrent appends to one room get
// distinct, gap-free Seqs.
//
// Blobs are bytea so that the stored bytes are exactly the given ones; in
// psql, convert_from(storage, 'UTF8') shows a storage root as text. jsonb is
// deliberately not used: it reorders keys.
type Postgres struct {
	pool   *pgxpool.Pool
	now    func() time.Time
	closed atomic.Bool
}

var (
	_ Store    = (*Postgres)(nil)
	_ replacer = (*Postgres)(nil)
)

// postgresMigrationLock is the pg_advisory_xact_lock key that serialises
// migrations of processes starting together ("lively" in ASCII).
const postgresMigrationLock = 0x6c6976656c79

// OpenPostgres connects to the database at url (a postgres:// URL or a
// key=value DSN; pool_max_conns and search_path may be given in it) and
// migrates its schema.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	return openPostgres(ctx, url, time.Now)
}

func openPostgres(ctx context.Context, url string, now func() time.Time) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("store: invalid PostgreSQL URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	if err := migratePostgres(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: migrate postgres: %w", err)
	}
	return &Postgres{pool: pool, now: now}, nil
}

// postgresMigrations returns the schema migrations: entry i brings the schema from
// version i to i+1. Never edit a released entry; append a new one.
func postgresMigrations() []string {
	return []string{
		// 1: rooms and their pending changes.
		`CREATE TABLE lively_rooms (
			pk           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			id           text        NOT NULL UNIQUE,   -- the room id, as is
			last_seq     bigint      NOT NULL DEFAULT 0, -- last Seq ever assigned
			snapshot_seq bigint      NOT NULL DEFAULT 0, -- changes <= this are folded into storage/yjs
			storage      bytea,                          -- storage root JSON, NULL = none
			yjs          bytea,                          -- merged Yjs V1 update, NULL = none
			updated_at   timestamptz NOT NULL
		);
		CREATE TABLE lively_changes (
			room_pk bigint   NOT NULL REFERENCES lively_rooms (pk) ON DELETE CASCADE,
			seq     bigint   NOT NULL,
			kind    smallint NOT NULL,                  -- 1 storage ops, 2 storage init, 3 yjs update
			data    bytea    NOT NULL,
			PRIMARY KEY (room_pk, seq)
		);`,
	}
}

func migratePostgres(ctx context.Context, pool *pgxpool.Pool) error {
	migrations := postgresMigrations()
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(postgresMigrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS lively_schema_version (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM lively_schema_version").Scan(&version); err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("%w: version %d, this program knows %d", ErrSchemaTooNew, version, len(migrations))
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO lively_schema_version (version) VALUES ($1)", v+1); err != nil {
				return err
			}
		}
		return nil
	})
}

func (p *Postgres) check(ctx context.Context) error {
	if p.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

func (p *Postgres) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if p.closed.Load() {
		return fmt.Errorf("store: postgres %s: %w (%w)", op, ErrClosed, err)
	}
	return fmt.Errorf("store: postgres %s: %w", op, err)
}

// Load implements Store.
func (p *Postgres) Load(ctx context.Context, roomID string) (*Room, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return nil, err
	}
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	room := &Room{ID: roomID}
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var pk, snapSeq int64
			err := tx.QueryRow(ctx,
				"SELECT pk, snapshot_seq, storage, yjs, updated_at FROM lively_rooms WHERE id = $1", roomID).
				Scan(&pk, &snapSeq, &room.Snapshot.Storage, &room.Snapshot.Yjs, &room.UpdatedAt)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			room.Snapshot.Seq = uint64(snapSeq)
			rows, err := tx.Query(ctx,
				"SELECT seq, kind, data FROM lively_changes WHERE room_pk = $1 AND seq > $2 ORDER BY seq",
				pk, snapSeq)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var (
					seq  int64
					kind int16
					c    StoredChange
				)
				if err := rows.Scan(&seq, &kind, &c.Data); err != nil {
					return err
				}
				c.Seq, c.Kind = uint64(seq), Kind(kind)
				room.Changes = append(room.Changes, c)
			}
			return rows.Err()
		})
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, p.wrap("load", err)
	}
	room.UpdatedAt = room.UpdatedAt.UTC()
	return room, nil
}

// postgresAppend inserts the room row or bumps its last_seq (taking the row
// lock until commit), then inserts the changes numbered from the old
// last_seq, all in one statement.
const postgresAppend = `WITH r AS (
	INSERT INTO lively_rooms AS r (id, last_seq, updated_at) VALUES ($1, $2, $3)
	ON CONFLICT (id) DO UPDATE SET last_seq = r.last_seq + excluded.last_seq, updated_at = excluded.updated_at
	RETURNING r.pk, r.last_seq
), ins AS (
	INSERT INTO lively_changes (room_pk, seq, kind, data)
	SELECT r.pk, r.last_seq - $2 + t.ord, t.kind, t.data
	FROM r, unnest($4::smallint[], $5::bytea[]) WITH ORDINALITY AS t (kind, data, ord)
)
SELECT last_seq FROM r`

// Append implements Store.
func (p *Postgres) Append(ctx context.Context, roomID string, changes []Change) (uint64, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return 0, err
	}
	if err := validateChanges(changes); err != nil {
		return 0, err
	}
	if err := p.check(ctx); err != nil {
		return 0, err
	}
	var last int64
	if len(changes) == 0 {
		err := p.pool.QueryRow(ctx, "SELECT last_seq FROM lively_rooms WHERE id = $1", roomID).Scan(&last)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, nil
		}
		return uint64(last), p.wrap("append", err)
	}
	kinds := make([]int16, len(changes))
	data := make([][]byte, len(changes))
	for i, c := range changes {
		kinds[i], data[i] = int16(c.Kind), c.Data
	}
	err := p.pool.QueryRow(ctx, postgresAppend,
		roomID, int64(len(changes)), millis(p.now()), kinds, data).Scan(&last)
	if err != nil {
		return 0, p.wrap("append", err)
	}
	return uint64(last), nil
}

// lockRoom returns the room row locked FOR UPDATE, creating it if needed
// (existed tells which).
func lockRoom(ctx context.Context, tx pgx.Tx, roomID string, now time.Time) (pk, last, snapSeq int64, existed bool, err error) {
	const sel = "SELECT pk, last_seq, snapshot_seq FROM lively_rooms WHERE id = $1 FOR UPDATE"
	for range 2 {
		err = tx.QueryRow(ctx, sel, roomID).Scan(&pk, &last, &snapSeq)
		if err == nil {
			return pk, last, snapSeq, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, 0, 0, false, err
		}
		// A concurrent creator makes this insert do nothing; select again.
		err = tx.QueryRow(ctx, `INSERT INTO lively_rooms (id, updated_at) VALUES ($1, $2)
			ON CONFLICT (id) DO NOTHING RETURNING pk`, roomID, now).Scan(&pk)
		if err == nil {
			return pk, 0, 0, false, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, 0, 0, false, err
		}
	}
	return 0, 0, 0, false, fmt.Errorf("room %q vanished while locking it", roomID)
}

// WriteSnapshot implements Store.
func (p *Postgres) WriteSnapshot(ctx context.Context, roomID string, snap Snapshot) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	if err := p.check(ctx); err != nil {
		return err
	}
	now := millis(p.now())
	var seqErr error
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		pk, last, snapSeq, _, err := lockRoom(ctx, tx, roomID, now)
		if err != nil {
			return err
		}
		if seqErr = checkSnapshotSeq(snap.Seq, uint64(last), uint64(snapSeq)); seqErr != nil {
			return seqErr // rolls back the row lockRoom may have created
		}
		if _, err := tx.Exec(ctx,
			"UPDATE lively_rooms SET snapshot_seq = $1, storage = $2, yjs = $3, updated_at = $4 WHERE pk = $5",
			int64(snap.Seq), nullBytes(snap.Storage), nullBytes(snap.Yjs), now, pk); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM lively_changes WHERE room_pk = $1 AND seq <= $2", pk, int64(snap.Seq))
		return err
	})
	if seqErr != nil {
		return seqErr
	}
	return p.wrap("write snapshot", err)
}

func (p *Postgres) replaceRoom(ctx context.Context, roomID string, snap Snapshot, updatedAt time.Time) (bool, error) {
	if err := ValidateRoomID(roomID); err != nil {
		return false, err
	}
	if err := p.check(ctx); err != nil {
		return false, err
	}
	at := millis(updatedAt)
	var existed bool
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		pk, _, _, ok, err := lockRoom(ctx, tx, roomID, at)
		if err != nil {
			return err
		}
		existed = ok
		if _, err := tx.Exec(ctx,
			"UPDATE lively_rooms SET snapshot_seq = last_seq, storage = $1, yjs = $2, updated_at = $3 WHERE pk = $4",
			nullBytes(snap.Storage), nullBytes(snap.Yjs), at, pk); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM lively_changes WHERE room_pk = $1", pk)
		return err
	})
	return existed, p.wrap("import", err)
}

// List implements Store.
func (p *Postgres) List(ctx context.Context) ([]RoomInfo, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, `SELECT r.id, r.updated_at,
		r.storage IS NOT NULL OR COALESCE(c.has_storage, false),
		r.yjs IS NOT NULL OR COALESCE(c.has_yjs, false),
		COALESCE(octet_length(r.storage), 0) + COALESCE(octet_length(r.yjs), 0) + COALESCE(c.size, 0)
		FROM lively_rooms r LEFT JOIN (
			SELECT room_pk, bool_or(kind IN (1, 2)) AS has_storage, bool_or(kind = 3) AS has_yjs,
				SUM(octet_length(data))::bigint AS size
			FROM lively_changes GROUP BY room_pk
		) c ON c.room_pk = r.pk`)
	if err != nil {
		return nil, p.wrap("list", err)
	}
	defer rows.Close()
	var out []RoomInfo
	for rows.Next() {
		var info RoomInfo
		if err := rows.Scan(&info.ID, &info.UpdatedAt, &info.HasStorage, &info.HasYjs, &info.SizeBytes); err != nil {
			return nil, p.wrap("list", err)
		}
		info.UpdatedAt = info.UpdatedAt.UTC()
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, p.wrap("list", err)
	}
	sortRoomInfos(out)
	return out, nil
}

// Delete implements Store.
func (p *Postgres) Delete(ctx context.Context, roomID string) error {
	if err := ValidateRoomID(roomID); err != nil {
		return err
	}
	if err := p.check(ctx); err != nil {
		return err
	}
	tag, err := p.pool.Exec(ctx, "DELETE FROM lively_rooms WHERE id = $1", roomID) // changes cascade
	if err != nil {
		return p.wrap("delete", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteAll implements Store.
func (p *Postgres) DeleteAll(ctx context.Context) (int, error) {
	if err := p.check(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM lively_changes"); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM lively_rooms")
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, p.wrap("delete all", err)
	}
	return int(n), nil
}

// Close implements Store. It waits for connections in use to be released.
func (p *Postgres) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	p.pool.Close()
	return nil
}
