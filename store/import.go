package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ImportedRoom reports what ImportLivelyDir did with one room.
type ImportedRoom struct {
	// ID is the room id: the file name without its extension. The reference
	// server sanitized ids into file names (every character outside
	// [A-Za-z0-9_-] became "_"), so this can differ from the id clients
	// used.
	ID string
	// Files are the paths the room was read from (.json first).
	Files      []string
	HasStorage bool
	HasYjs     bool
	// UpdatedAt is the .json file's updatedAt, or the newest file's
	// modification time when it has none.
	UpdatedAt time.Time
	SizeBytes int64
	// Replaced is true when the store already held the room; its whole
	// content (snapshot and pending changes) was replaced.
	Replaced bool
	// Err is why the room was not imported (nil if it was). It wraps
	// ErrInvalidImport for an unusable file.
	Err error
}

// ImportLivelyDir imports a reference Lively data directory into st. dir is
// either the data directory (holding rooms/) or the rooms directory itself.
// <id>.json ({"root": <SerializedCrdt>, "updatedAt": <ms>}) becomes the
// room's storage snapshot and <id>.yjs (a raw Yjs update) its Yjs snapshot;
// a room's stored content is replaced, so importing twice is harmless.
//
// One result is returned per room id, sorted by id. A bad file fails its room
// only (ImportedRoom.Err); the returned error is for failures that stop the
// whole import: an unreadable directory or a cancelled ctx.
func ImportLivelyDir(ctx context.Context, st Store, dir string) ([]ImportedRoom, error) {
	roomsDir, err := livelyRoomsDir(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(roomsDir)
	if err != nil {
		return nil, fmt.Errorf("store: import: %w", err)
	}
	files := make(map[string][]string) // id -> paths, .json before .yjs
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.Type().IsRegular() || (ext != ".json" && ext != ".yjs") {
			continue
		}
		id := strings.TrimSuffix(e.Name(), ext)
		files[id] = append(files[id], filepath.Join(roomsDir, e.Name()))
	}
	ids := make([]string, 0, len(files))
	for id, paths := range files {
		ids = append(ids, id)
		slices.Sort(paths) // "x.json" < "x.yjs"
	}
	slices.Sort(ids)

	out := make([]ImportedRoom, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := ImportedRoom{ID: id, Files: files[id]}
		snap, err := readLivelyRoom(&r)
		if err == nil {
			err = ValidateRoomID(id)
		}
		if err == nil {
			r.Replaced, err = replaceRoom(ctx, st, id, snap, r.UpdatedAt)
		}
		if err != nil && ctx.Err() != nil {
			return out, ctx.Err()
		}
		r.Err = err
		out = append(out, r)
	}
	return out, nil
}

func livelyRoomsDir(dir string) (string, error) {
	sub := filepath.Join(dir, "rooms")
	if fi, err := os.Stat(sub); err == nil && fi.IsDir() {
		return sub, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("store: import: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("store: import: %s is not a directory", dir)
	}
	return dir, nil
}

// readLivelyRoom reads r.Files into a snapshot and fills r's summary fields.
func readLivelyRoom(r *ImportedRoom) (Snapshot, error) {
	var snap Snapshot
	var mtime time.Time
	for _, path := range r.Files {
		data, fi, err := readFile(path)
		if err != nil {
			return Snapshot{}, err
		}
		if fi.ModTime().After(mtime) {
			mtime = fi.ModTime()
		}
		if filepath.Ext(path) == ".yjs" {
			if len(data) == 0 {
				return Snapshot{}, fmt.Errorf("%w: %s: empty Yjs update", ErrInvalidImport, path)
			}
			snap.Yjs = data
			continue
		}
		root, updatedAt, err := parseLivelyJSON(data)
		if err != nil {
			return Snapshot{}, fmt.Errorf("%w: %s: %w", ErrInvalidImport, path, err)
		}
		snap.Storage = root
		r.UpdatedAt = updatedAt
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = mtime
	}
	r.UpdatedAt = millis(r.UpdatedAt)
	r.HasStorage, r.HasYjs = snap.Storage != nil, snap.Yjs != nil
	r.SizeBytes = int64(len(snap.Storage) + len(snap.Yjs))
	return snap, nil
}

func readFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), fi, nil
}

// parseLivelyJSON returns the compacted root (key order kept) and updatedAt
// (zero if absent or not a number) of a reference room file.
func parseLivelyJSON(data []byte) (root []byte, updatedAt time.Time, err error) {
	var f struct {
		Root      json.RawMessage `json:"root"`
		UpdatedAt json.RawMessage `json:"updatedAt"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, time.Time{}, err
	}
	if len(f.Root) == 0 || string(f.Root) == "null" {
		return nil, time.Time{}, errors.New("no root")
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(f.Root, &head); err != nil {
		return nil, time.Time{}, fmt.Errorf("root: %w", err)
	}
	switch head.Type {
	case "LiveObject", "LiveMap", "LiveList":
	default:
		return nil, time.Time{}, fmt.Errorf("root type %q is not LiveObject, LiveMap or LiveList", head.Type)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, f.Root); err != nil {
		return nil, time.Time{}, fmt.Errorf("root: %w", err)
	}
	var ms float64
	if json.Unmarshal(f.UpdatedAt, &ms) == nil && ms > 0 && ms < math.MaxInt64 {
		updatedAt = time.UnixMilli(int64(ms))
	}
	return compact.Bytes(), updatedAt, nil
}

// replaceRoom replaces a room's content, through the backend's atomic
// replacer when it has one.
func replaceRoom(ctx context.Context, st Store, id string, snap Snapshot, at time.Time) (bool, error) {
	if r, ok := st.(replacer); ok {
		return r.replaceRoom(ctx, id, snap, at)
	}
	// Another Store implementation: not atomic, and UpdatedAt is "now".
	room, err := st.Load(ctx, id)
	existed := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	if existed {
		snap.Seq = room.LastSeq()
	}
	return existed, st.WriteSnapshot(ctx, id, snap)
}
