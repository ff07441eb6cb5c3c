// Package store persists Lively rooms: the storage CRDT document, the Yjs
// document and the changes applied to them since the last snapshot.
//
// # Model
//
// A room is a snapshot plus a log of changes. Every change gets a sequence
// number (Seq) that is unique and strictly increasing per room, across Append,
// WriteSnapshot, process restarts and several processes sharing one database.
// A snapshot records the Seq up to which changes are folded into it;
// WriteSnapshot drops those changes in the same transaction, so Load always
// returns a snapshot plus the changes that still have to be replayed on top of
// it, in Seq order.
//
// The store never interprets the bytes it keeps: storage ops, storage roots
// and Yjs updates are opaque. Folding changes into a snapshot is the caller's
// job (the room actor holds the live documents).
//
// Room ids are stored as they are, never sanitized, so "a:b", "a.b" and "a_b"
// are three different rooms. An id must be non-empty valid UTF-8 without NUL
// and at most MaxRoomIDBytes long (PostgreSQL text cannot hold NUL or invalid
// UTF-8, and every backend must accept the same ids).
//
// # Backends
//
//   - OpenMemory: in-process maps, for --memory and tests.
//   - OpenSQLite / OpenDefault: one file (<data-dir>/lively.db, WAL mode) that
//     can be opened with the sqlite3 shell. Pure Go (modernc.org/sqlite).
//   - OpenPostgres: pgx v5 pool; several server processes may share one
//     database.
//
// Open picks one from Options.
//
// # Concurrency
//
// Every Store is safe for concurrent use by multiple goroutines. Each method
// is one transaction: a failed or cancelled Append stores none of its changes.
// All methods do I/O (except the memory backend) and may block for as long as
// the database does; never call them from an actor's Receive, use a
// persistence goroutine or actor instead. Every method honours its context.
package store
