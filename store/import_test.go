package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeLivelyDir writes a reference data directory (<dir>/rooms/...) and
// returns dir. Yjs files get mtime yjsTime.
func writeLivelyDir(t *testing.T, files map[string]string, yjsTime time.Time) string {
	t.Helper()
	dir := t.TempDir()
	rooms := filepath.Join(dir, "rooms")
	if err := os.MkdirAll(rooms, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(rooms, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(name) == ".yjs" {
			if err := os.Chtimes(p, yjsTime, yjsTime); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// referenceJSON is a room file as the reference server writes it
// (JSON.stringify(..., null, 2)).
const referenceJSON = `{
  "root": {
    "type": "LiveObject",
    "data": {
      "title": "Hello <b>&",
      "count": 3,
      "todos": {
        "type": "LiveList",
        "items": [
          {
            "position": "V",
            "value": "a"
          }
        ]
      }
    }
  },
  "updatedAt": 1700000000000
}`

func TestImportLivelyDir(t *testing.T) {
	yjsTime := time.UnixMilli(1700000500000)
	dir := writeLivelyDir(t, map[string]string{
		"my-room.json":    referenceJSON,
		"ns_room_v2.json": `{"root":{"type":"LiveMap","entries":{}},"updatedAt":1600000000000}`,
		"ns_room_v2.yjs":  "\x00\x00",
		"doc.yjs":         "\x01\x02\x03",
		"broken.json":     `{"root": `,
		"null-root.json":  `{"root": null, "updatedAt": 1}`,
		"plain-root.json": `{"root": {"type": "Foo"}}`,
		"empty.yjs":       "",
		"notes.txt":       "ignored",
	}, yjsTime)
	if err := os.Mkdir(filepath.Join(dir, "rooms", "subdir.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	st := OpenMemory()
	defer st.Close()
	ctx := context.Background()
	mustAppend(t, st, "my-room", Change{KindStorage, ops(1)}, Change{KindStorage, ops(2)})

	got, err := ImportLivelyDir(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		id                string
		storage, yjs, rep bool
		updated           time.Time
		bad               bool
	}
	want := []result{
		{id: "broken", bad: true},
		{id: "doc", yjs: true, updated: yjsTime},
		{id: "empty", bad: true},
		{id: "my-room", storage: true, rep: true, updated: time.UnixMilli(1700000000000)},
		{id: "ns_room_v2", storage: true, yjs: true, updated: time.UnixMilli(1600000000000)},
		{id: "null-root", bad: true},
		{id: "plain-root", bad: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || (g.Err != nil) != w.bad {
			t.Errorf("result %d = %+v, want %+v", i, g, w)
			continue
		}
		if w.bad {
			if !errors.Is(g.Err, ErrInvalidImport) {
				t.Errorf("%s: err %v, want ErrInvalidImport", g.ID, g.Err)
			}
			if _, err := st.Load(ctx, g.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: a failed room was stored", g.ID)
			}
			continue
		}
		if g.HasStorage != w.storage || g.HasYjs != w.yjs || g.Replaced != w.rep || !g.UpdatedAt.Equal(w.updated) {
			t.Errorf("result %d = %+v, want %+v", i, g, w)
		}
		r := mustLoad(t, st, g.ID)
		if !r.UpdatedAt.Equal(w.updated) {
			t.Errorf("%s: stored UpdatedAt %v, want %v", g.ID, r.UpdatedAt, w.updated)
		}
	}

	r := mustLoad(t, st, "my-room")
	const wantRoot = `{"type":"LiveObject","data":{"title":"Hello <b>&","count":3,` +
		`"todos":{"type":"LiveList","items":[{"position":"V","value":"a"}]}}}`
	if string(r.Snapshot.Storage) != wantRoot {
		t.Errorf("root = %s\nwant   %s", r.Snapshot.Storage, wantRoot)
	}
	if r.Snapshot.Seq != 2 || len(r.Changes) != 0 || r.Snapshot.Yjs != nil {
		t.Errorf("replaced room = %+v, want the import at Seq 2 and no pending changes", r)
	}
	if r := mustLoad(t, st, "ns_room_v2"); string(r.Snapshot.Yjs) != "\x00\x00" {
		t.Errorf("yjs = %q", r.Snapshot.Yjs)
	}
}

func TestImportLivelyDir_RoomsDirItself(t *testing.T) {
	dir := writeLivelyDir(t, map[string]string{"a.yjs": "\x00\x00"}, time.UnixMilli(1))
	st := OpenMemory()
	defer st.Close()
	got, err := ImportLivelyDir(context.Background(), st, filepath.Join(dir, "rooms"))
	if err != nil || len(got) != 1 || got[0].ID != "a" || got[0].Err != nil {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestImportLivelyDir_Missing(t *testing.T) {
	st := OpenMemory()
	defer st.Close()
	if _, err := ImportLivelyDir(context.Background(), st, filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("no error for a missing directory")
	}
}

func TestImportLivelyDir_Cancelled(t *testing.T) {
	dir := writeLivelyDir(t, map[string]string{"a.yjs": "\x00\x00"}, time.UnixMilli(1))
	st := OpenMemory()
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ImportLivelyDir(ctx, st, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// foreignStore hides the replacer of Memory, like a Store from another
// package.
type foreignStore struct{ Store }

func TestImportLivelyDir_ForeignStore(t *testing.T) {
	dir := writeLivelyDir(t, map[string]string{"a.json": `{"root":{"type":"LiveObject","data":{}}}`}, time.UnixMilli(1))
	mem := OpenMemory()
	defer mem.Close()
	mustAppend(t, mem, "a", Change{KindStorage, ops(1)})
	got, err := ImportLivelyDir(context.Background(), foreignStore{mem}, dir)
	if err != nil || len(got) != 1 || got[0].Err != nil || !got[0].Replaced {
		t.Fatalf("got %+v, %v", got, err)
	}
	if r := mustLoad(t, mem, "a"); r.Snapshot.Seq != 1 || len(r.Changes) != 0 || r.Snapshot.Storage == nil {
		t.Fatalf("room = %+v", r)
	}
}
