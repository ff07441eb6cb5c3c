package store

import "errors"

var (
	// ErrNotFound is returned by Load and Delete when a room has nothing
	// stored.
	ErrNotFound = errors.New("store: room not found")

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store: closed")

	// ErrInvalidRoomID is returned for an empty room id, one longer than
	// MaxRoomIDBytes, or one that is not valid UTF-8 or contains NUL.
	ErrInvalidRoomID = errors.New("store: invalid room id")

	// ErrInvalidChange is returned by Append for a change with an unknown
	// Kind or empty Data.
	ErrInvalidChange = errors.New("store: invalid change")

	// ErrSnapshotAhead is returned by WriteSnapshot when the snapshot claims
	// to fold in changes that were never appended (Seq > last assigned seq).
	// Accepting it would make later appends look already folded.
	ErrSnapshotAhead = errors.New("store: snapshot seq is ahead of the last appended change")

	// ErrStaleSnapshot is returned by WriteSnapshot when a newer snapshot is
	// already stored (Seq < stored snapshot Seq). Accepting it would roll the
	// room back.
	ErrStaleSnapshot = errors.New("store: snapshot is older than the stored one")

	// ErrSchemaTooNew is returned by the SQL backends when the database was
	// migrated by a newer version of this program.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this program supports")

	// ErrInvalidImport marks a reference room file that cannot be imported
	// (bad JSON, no root, empty Yjs update). ImportLivelyDir reports it per
	// room and goes on with the others.
	ErrInvalidImport = errors.New("store: invalid room file")
)
