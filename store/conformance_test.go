package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// harness is one open store under test.
type harness struct {
	Store
	// another opens one more independent handle on the same database, as a
	// second process would (nil when the backend cannot: memory). The caller
	// closes it.
	another func(t *testing.T) Store
}

// opener opens a fresh, empty store stamping UpdatedAt with now. The store is
// closed by t.Cleanup.
type opener func(t *testing.T, now func() time.Time) *harness

// fakeClock is a manual clock for UpdatedAt.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// runConformance runs the behaviour every Store must share.
func runConformance(t *testing.T, open opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open opener)
	}{
		{"Load_Empty", testLoadEmpty},
		{"Append_Order", testAppendOrder},
		{"Append_CopiesData", testAppendCopiesData},
		{"Append_Invalid", testAppendInvalid},
		{"WriteSnapshot_Folds", testSnapshotFolds},
		{"WriteSnapshot_SeqRules", testSnapshotSeqRules},
		{"WriteSnapshot_NewRoom", testSnapshotNewRoom},
		{"Seq_MonotonicAcrossReopen", testSeqAcrossReopen},
		{"List_KindsSizeOrder", testList},
		{"Delete", testDelete},
		{"DeleteAll", testDeleteAll},
		{"RoomIDs_NoCollision", testRoomIDs},
		{"RoomIDs_Invalid", testInvalidRoomIDs},
		{"BigBlobs", testBigBlobs},
		{"Append_Concurrent", testConcurrentAppends},
		{"Append_ConcurrentHandles", testConcurrentHandles},
		{"ContextCancelled", testContextCancelled},
		{"Closed", testClosed},
		{"ReplaceRoom", testReplaceRoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func ops(n int) []byte {
	return fmt.Appendf(nil, `[{"type":"set","path":[],"key":"k%d","value":%d,"clock":%d}]`, n, n, n)
}

func mustAppend(t *testing.T, st Store, id string, changes ...Change) uint64 {
	t.Helper()
	last, err := st.Append(context.Background(), id, changes)
	if err != nil {
		t.Fatalf("Append(%q): %v", id, err)
	}
	return last
}

func mustLoad(t *testing.T, st Store, id string) *Room {
	t.Helper()
	r, err := st.Load(context.Background(), id)
	if err != nil {
		t.Fatalf("Load(%q): %v", id, err)
	}
	return r
}

func mustList(t *testing.T, st Store) []RoomInfo {
	t.Helper()
	l, err := st.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return l
}

func checkChanges(t *testing.T, got []StoredChange, want ...StoredChange) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Kind != w.Kind || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("change %d = {%d %v %q}, want {%d %v %q}", i, g.Seq, g.Kind, g.Data, w.Seq, w.Kind, w.Data)
		}
	}
}

func testLoadEmpty(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	if _, err := st.Load(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load = %v, want ErrNotFound", err)
	}
	if l := mustList(t, st); len(l) != 0 {
		t.Fatalf("List = %v, want empty", l)
	}
	if err := st.Delete(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete = %v, want ErrNotFound", err)
	}
	if n, err := st.DeleteAll(ctx); n != 0 || err != nil {
		t.Fatalf("DeleteAll = %d, %v", n, err)
	}
	if last := mustAppend(t, st, "nope"); last != 0 {
		t.Fatalf("Append(none) = %d, want 0", last)
	}
	if _, err := st.Load(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load after empty Append = %v, want ErrNotFound", err)
	}
}

func testAppendOrder(t *testing.T, open opener) {
	clock := newFakeClock()
	st := open(t, clock.Now)
	yjs := []byte{0, 0, 1, 2, 255}
	if last := mustAppend(t, st, "r", Change{KindStorage, ops(1)}, Change{KindYjs, yjs}); last != 2 {
		t.Fatalf("lastSeq = %d, want 2", last)
	}
	clock.Advance(time.Second)
	if last := mustAppend(t, st, "r", Change{KindStorageInit, []byte(`{"type":"LiveObject","data":{}}`)}); last != 3 {
		t.Fatalf("lastSeq = %d, want 3", last)
	}
	if last := mustAppend(t, st, "r"); last != 3 {
		t.Fatalf("Append(none) = %d, want 3", last)
	}
	r := mustLoad(t, st, "r")
	if r.ID != "r" || r.Snapshot.Storage != nil || r.Snapshot.Yjs != nil || r.Snapshot.Seq != 0 {
		t.Fatalf("room = %+v, want no snapshot", r)
	}
	checkChanges(t, r.Changes,
		StoredChange{1, KindStorage, ops(1)},
		StoredChange{2, KindYjs, yjs},
		StoredChange{3, KindStorageInit, []byte(`{"type":"LiveObject","data":{}}`)})
	if !r.UpdatedAt.Equal(clock.Now()) {
		t.Fatalf("UpdatedAt = %v, want %v", r.UpdatedAt, clock.Now())
	}
	if r.LastSeq() != 3 {
		t.Fatalf("LastSeq = %d", r.LastSeq())
	}
}

func testAppendCopiesData(t *testing.T, open opener) {
	st := open(t, nil)
	data := []byte("[1]")
	mustAppend(t, st, "r", Change{KindStorage, data})
	data[1] = '2'
	r := mustLoad(t, st, "r")
	if string(r.Changes[0].Data) != "[1]" {
		t.Fatalf("stored data changed with the caller's slice: %q", r.Changes[0].Data)
	}
	r.Changes[0].Data[1] = '3'
	if r := mustLoad(t, st, "r"); string(r.Changes[0].Data) != "[1]" {
		t.Fatalf("stored data changed with a loaded slice: %q", r.Changes[0].Data)
	}
}

func testAppendInvalid(t *testing.T, open opener) {
	st := open(t, nil)
	for _, c := range []Change{{0, []byte("x")}, {Kind(9), []byte("x")}, {KindStorage, nil}, {KindYjs, []byte{}}} {
		_, err := st.Append(context.Background(), "r", []Change{{KindStorage, ops(1)}, c})
		if !errors.Is(err, ErrInvalidChange) {
			t.Errorf("Append(%v) = %v, want ErrInvalidChange", c, err)
		}
	}
	if _, err := st.Load(context.Background(), "r"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a rejected Append stored something: %v", err)
	}
}

func testSnapshotFolds(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		mustAppend(t, st, "r", Change{KindStorage, ops(i)})
	}
	root := []byte(`{"type":"LiveObject","data":{"k3":3}}`)
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: root, Yjs: []byte{1, 2}, Seq: 3}); err != nil {
		t.Fatal(err)
	}
	r := mustLoad(t, st, "r")
	if !bytes.Equal(r.Snapshot.Storage, root) || !bytes.Equal(r.Snapshot.Yjs, []byte{1, 2}) || r.Snapshot.Seq != 3 {
		t.Fatalf("snapshot = %+v", r.Snapshot)
	}
	checkChanges(t, r.Changes, StoredChange{4, KindStorage, ops(4)}, StoredChange{5, KindStorage, ops(5)})

	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: root, Seq: 5}); err != nil {
		t.Fatal(err)
	}
	r = mustLoad(t, st, "r")
	if len(r.Changes) != 0 || r.Snapshot.Seq != 5 || r.Snapshot.Yjs != nil || r.LastSeq() != 5 {
		t.Fatalf("room = %+v, want everything folded at 5 without Yjs", r)
	}
	if last := mustAppend(t, st, "r", Change{KindStorage, ops(6)}); last != 6 {
		t.Fatalf("Append after snapshot = %d, want 6", last)
	}
	checkChanges(t, mustLoad(t, st, "r").Changes, StoredChange{6, KindStorage, ops(6)})
}

func testSnapshotSeqRules(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	mustAppend(t, st, "r", Change{KindStorage, ops(1)}, Change{KindStorage, ops(2)})
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte("{}"), Seq: 3}); !errors.Is(err, ErrSnapshotAhead) {
		t.Fatalf("snapshot ahead = %v, want ErrSnapshotAhead", err)
	}
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte(`{"a":1}`), Seq: 2}); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte("{}"), Seq: 1}); !errors.Is(err, ErrStaleSnapshot) {
		t.Fatalf("stale snapshot = %v, want ErrStaleSnapshot", err)
	}
	// Same Seq again replaces (e.g. storage then Yjs re-encoded).
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte(`{"a":2}`), Seq: 2}); err != nil {
		t.Fatal(err)
	}
	r := mustLoad(t, st, "r")
	if string(r.Snapshot.Storage) != `{"a":2}` || r.Snapshot.Seq != 2 || len(r.Changes) != 0 {
		t.Fatalf("room = %+v", r)
	}
}

func testSnapshotNewRoom(t *testing.T, open opener) {
	clock := newFakeClock()
	st := open(t, clock.Now)
	ctx := context.Background()
	if err := st.WriteSnapshot(ctx, "new", Snapshot{Yjs: []byte{0, 0}, Seq: 1}); !errors.Is(err, ErrSnapshotAhead) {
		t.Fatalf("snapshot ahead on a new room = %v", err)
	}
	if _, err := st.Load(ctx, "new"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a rejected snapshot created the room: %v", err)
	}
	// Empty slices mean "none", like nil.
	if err := st.WriteSnapshot(ctx, "new", Snapshot{Storage: []byte{}, Yjs: []byte{0, 0}}); err != nil {
		t.Fatal(err)
	}
	r := mustLoad(t, st, "new")
	if r.Snapshot.Storage != nil || !bytes.Equal(r.Snapshot.Yjs, []byte{0, 0}) || !r.UpdatedAt.Equal(clock.Now()) {
		t.Fatalf("room = %+v", r)
	}
	if last := mustAppend(t, st, "new", Change{KindYjs, []byte{1}}); last != 1 {
		t.Fatalf("first Append = %d, want 1", last)
	}
}

func testSeqAcrossReopen(t *testing.T, open opener) {
	h := open(t, nil)
	if h.another == nil {
		t.Skip("backend has no persistence")
	}
	ctx := context.Background()
	mustAppend(t, h, "r", Change{KindStorage, ops(1)}, Change{KindStorage, ops(2)}, Change{KindYjs, []byte{7}})
	if err := h.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte(`{"s":3}`), Seq: 3}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, h, "r", Change{KindStorage, ops(4)})
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	st := h.another(t)
	defer st.Close()
	r := mustLoad(t, st, "r")
	if string(r.Snapshot.Storage) != `{"s":3}` || r.Snapshot.Seq != 3 {
		t.Fatalf("snapshot after reopen = %+v", r.Snapshot)
	}
	checkChanges(t, r.Changes, StoredChange{4, KindStorage, ops(4)})
	if err := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte(`{"s":4}`), Seq: 4}); err != nil {
		t.Fatal(err)
	}
	if last := mustAppend(t, st, "r", Change{KindStorage, ops(5)}); last != 5 {
		t.Fatalf("Append after reopen and snapshot = %d, want 5", last)
	}
}

func testList(t *testing.T, open opener) {
	clock := newFakeClock()
	st := open(t, clock.Now)
	ctx := context.Background()
	t0 := clock.Now()
	mustAppend(t, st, "storage-change", Change{KindStorage, []byte("[1,2]")})
	mustAppend(t, st, "b-tie", Change{KindYjs, []byte{1, 2, 3}})
	mustAppend(t, st, "a-tie", Change{KindStorageInit, []byte("{}")})
	clock.Advance(2 * time.Second)
	t2 := clock.Now()
	if err := st.WriteSnapshot(ctx, "yjs-snap", Snapshot{Yjs: make([]byte, 10)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	t3 := clock.Now()
	mustAppend(t, st, "both", Change{KindStorage, []byte("[]")})
	if err := st.WriteSnapshot(ctx, "both", Snapshot{Storage: []byte("{}"), Seq: 1}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, st, "both", Change{KindYjs, []byte{9, 9, 9}})

	want := []RoomInfo{
		{ID: "both", HasStorage: true, HasYjs: true, UpdatedAt: t3, SizeBytes: 5},
		{ID: "yjs-snap", HasYjs: true, UpdatedAt: t2, SizeBytes: 10},
		{ID: "a-tie", HasStorage: true, UpdatedAt: t0, SizeBytes: 2},
		{ID: "b-tie", HasYjs: true, UpdatedAt: t0, SizeBytes: 3},
		{ID: "storage-change", HasStorage: true, UpdatedAt: t0, SizeBytes: 5},
	}
	got := mustList(t, st)
	if len(got) != len(want) {
		t.Fatalf("List = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.HasStorage != w.HasStorage || g.HasYjs != w.HasYjs ||
			!g.UpdatedAt.Equal(w.UpdatedAt) || g.SizeBytes != w.SizeBytes {
			t.Errorf("List[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func testDelete(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	mustAppend(t, st, "a", Change{KindStorage, ops(1)}, Change{KindStorage, ops(2)})
	mustAppend(t, st, "b", Change{KindStorage, ops(1)})
	if err := st.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete = %v, want ErrNotFound", err)
	}
	if _, err := st.Load(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load deleted = %v", err)
	}
	if l := mustList(t, st); len(l) != 1 || l[0].ID != "b" {
		t.Fatalf("List = %+v", l)
	}
	if last := mustAppend(t, st, "a", Change{KindStorage, ops(9)}); last != 1 {
		t.Fatalf("re-created room starts at %d, want 1", last)
	}
	checkChanges(t, mustLoad(t, st, "a").Changes, StoredChange{1, KindStorage, ops(9)})
}

func testDeleteAll(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		mustAppend(t, st, id, Change{KindYjs, []byte{1}})
	}
	if err := st.WriteSnapshot(ctx, "d", Snapshot{Storage: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.DeleteAll(ctx); n != 4 || err != nil {
		t.Fatalf("DeleteAll = %d, %v; want 4", n, err)
	}
	if l := mustList(t, st); len(l) != 0 {
		t.Fatalf("List after DeleteAll = %+v", l)
	}
	if last := mustAppend(t, st, "a", Change{KindYjs, []byte{1}}); last != 1 {
		t.Fatalf("Append after DeleteAll = %d", last)
	}
}

// collidingIDs would share a file name under the reference server's
// sanitize(), or differ only in case, normalization or whitespace.
var collidingIDs = []string{
	"a:b", "a.b", "a_b", "a/b", "a b", "a-b", `a\b`, "a%3Ab", "A:B", "a:b ", " a:b",
	"room/with spaces!", "room_with_spaces_", "ns:room.v2", "ns_room_v2",
	"🙂", "😀", "__", "é", "e\u0301", "日本語", "'; DROP TABLE rooms; --", "a\nb", "a\tb",
	strings.Repeat("x", MaxRoomIDBytes), strings.Repeat("x", MaxRoomIDBytes-4) + "🙂",
}

func testRoomIDs(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	for i, id := range collidingIDs {
		mustAppend(t, st, id, Change{KindStorage, ops(i)})
		if err := st.WriteSnapshot(ctx, id, Snapshot{Storage: []byte(fmt.Sprintf(`{"id":%q}`, id)), Seq: 1}); err != nil {
			t.Fatalf("WriteSnapshot(%q): %v", id, err)
		}
		mustAppend(t, st, id, Change{KindYjs, []byte(id)})
	}
	for _, id := range collidingIDs {
		r := mustLoad(t, st, id)
		if r.ID != id || string(r.Snapshot.Storage) != fmt.Sprintf(`{"id":%q}`, id) || r.Snapshot.Seq != 1 {
			t.Errorf("Load(%q) = %+v", id, r)
		}
		checkChanges(t, r.Changes, StoredChange{2, KindYjs, []byte(id)})
	}
	list := mustList(t, st)
	seen := make(map[string]bool)
	for _, info := range list {
		seen[info.ID] = true
	}
	for _, id := range collidingIDs {
		if !seen[id] {
			t.Errorf("List misses %q", id)
		}
	}
	if len(list) != len(collidingIDs) {
		t.Fatalf("List has %d rooms, want %d", len(list), len(collidingIDs))
	}
	if err := st.Delete(ctx, "a:b"); err != nil {
		t.Fatal(err)
	}
	if r := mustLoad(t, st, "a.b"); r.ID != "a.b" {
		t.Fatal("deleting a:b touched a.b")
	}
}

func testInvalidRoomIDs(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	for _, id := range []string{"", "a\x00b", "\xff\xfe", strings.Repeat("x", MaxRoomIDBytes+1)} {
		_, errLoad := st.Load(ctx, id)
		_, errAppend := st.Append(ctx, id, []Change{{KindYjs, []byte{1}}})
		errSnap := st.WriteSnapshot(ctx, id, Snapshot{})
		errDelete := st.Delete(ctx, id)
		for _, err := range []error{errLoad, errAppend, errSnap, errDelete} {
			if !errors.Is(err, ErrInvalidRoomID) {
				t.Errorf("id %q: %v, want ErrInvalidRoomID", id, err)
			}
		}
	}
}

func testBigBlobs(t *testing.T, open opener) {
	st := open(t, nil)
	ctx := context.Background()
	const size = 5 << 20
	big := func(seed byte) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i*7) ^ seed
		}
		return b
	}
	change, storage, yjs := big(1), big(2), big(3)
	mustAppend(t, st, "big", Change{KindYjs, change})
	mustAppend(t, st, "big", Change{KindYjs, big(4)})
	if err := st.WriteSnapshot(ctx, "big", Snapshot{Storage: storage, Yjs: yjs, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	r := mustLoad(t, st, "big")
	if !bytes.Equal(r.Snapshot.Storage, storage) || !bytes.Equal(r.Snapshot.Yjs, yjs) {
		t.Fatal("big snapshot does not round-trip")
	}
	checkChanges(t, r.Changes, StoredChange{2, KindYjs, big(4)})
	if l := mustList(t, st); len(l) != 1 || l[0].SizeBytes != 3*size {
		t.Fatalf("List = %+v, want SizeBytes %d", l, 3*size)
	}
}

// appendConcurrently appends from workers goroutines, each rounds batches of
// batch changes to room "c" (and one to its own room), through stores[w %
// len(stores)], then checks every change is stored once, in each worker's
// order, with each batch contiguous.
func appendConcurrently(t *testing.T, stores []Store) {
	const workers, rounds, batch = 8, 20, 3
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			st := stores[w%len(stores)]
			for r := range rounds {
				changes := make([]Change, batch)
				for i := range changes {
					changes[i] = Change{KindStorage, fmt.Appendf(nil, "w%d r%d i%d", w, r, i)}
				}
				last, err := st.Append(ctx, "c", changes)
				if err == nil {
					_, err = st.Append(ctx, fmt.Sprintf("own-%d", w), changes[:1])
				}
				if err != nil {
					errs <- err
					return
				}
				if last%batch != 0 {
					errs <- fmt.Errorf("worker %d round %d: lastSeq %d is not a batch end", w, r, last)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r := mustLoad(t, stores[0], "c")
	if len(r.Changes) != workers*rounds*batch {
		t.Fatalf("%d changes stored, want %d", len(r.Changes), workers*rounds*batch)
	}
	next := make([]int, workers) // next round expected per worker
	for i, c := range r.Changes {
		if c.Seq != uint64(i+1) {
			t.Fatalf("change %d has Seq %d", i, c.Seq)
		}
		var w, rd, k int
		if _, err := fmt.Sscanf(string(c.Data), "w%d r%d i%d", &w, &rd, &k); err != nil {
			t.Fatal(err)
		}
		if k != i%batch || rd != next[w] {
			t.Fatalf("change %d = %q: batches interleaved or out of order", i, c.Data)
		}
		if k == batch-1 {
			next[w]++
		}
	}
	for w := range workers {
		if r := mustLoad(t, stores[0], fmt.Sprintf("own-%d", w)); r.LastSeq() != rounds {
			t.Fatalf("own-%d: LastSeq %d, want %d", w, r.LastSeq(), rounds)
		}
	}
}

func testConcurrentAppends(t *testing.T, open opener) {
	appendConcurrently(t, []Store{open(t, nil)})
}

func testConcurrentHandles(t *testing.T, open opener) {
	h := open(t, nil)
	if h.another == nil {
		t.Skip("backend has a single handle")
	}
	other := h.another(t)
	defer other.Close()
	appendConcurrently(t, []Store{h.Store, other})
}

func testContextCancelled(t *testing.T, open opener) {
	st := open(t, nil)
	mustAppend(t, st, "r", Change{KindStorage, ops(1)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errLoad := st.Load(ctx, "r")
	_, errAppend := st.Append(ctx, "r", []Change{{KindStorage, ops(2)}})
	errSnap := st.WriteSnapshot(ctx, "r", Snapshot{Storage: []byte("{}"), Seq: 1})
	_, errList := st.List(ctx)
	errDelete := st.Delete(ctx, "r")
	_, errDeleteAll := st.DeleteAll(ctx)
	for i, err := range []error{errLoad, errAppend, errSnap, errList, errDelete, errDeleteAll} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d with a cancelled context = %v, want context.Canceled", i, err)
		}
	}
	r := mustLoad(t, st, "r")
	if r.Snapshot.Seq != 0 {
		t.Fatalf("cancelled calls changed the room: %+v", r)
	}
	checkChanges(t, r.Changes, StoredChange{1, KindStorage, ops(1)})
}

func testClosed(t *testing.T, open opener) {
	st := open(t, nil)
	mustAppend(t, st, "r", Change{KindStorage, ops(1)})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	ctx := context.Background()
	_, errLoad := st.Load(ctx, "r")
	_, errAppend := st.Append(ctx, "r", []Change{{KindStorage, ops(2)}})
	errSnap := st.WriteSnapshot(ctx, "r", Snapshot{})
	_, errList := st.List(ctx)
	errDelete := st.Delete(ctx, "r")
	_, errDeleteAll := st.DeleteAll(ctx)
	for i, err := range []error{errLoad, errAppend, errSnap, errList, errDelete, errDeleteAll} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("call %d after Close = %v, want ErrClosed", i, err)
		}
	}
}

func testReplaceRoom(t *testing.T, open opener) {
	st := open(t, nil)
	rp, ok := st.Store.(replacer)
	if !ok {
		t.Fatal("backend does not implement replacer")
	}
	ctx := context.Background()
	at := time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	existed, err := rp.replaceRoom(ctx, "new", Snapshot{Storage: []byte("{}")}, at)
	if err != nil || existed {
		t.Fatalf("replaceRoom(new) = %v, %v", existed, err)
	}
	if r := mustLoad(t, st, "new"); !r.UpdatedAt.Equal(at) || string(r.Snapshot.Storage) != "{}" || r.Snapshot.Seq != 0 {
		t.Fatalf("room = %+v", r)
	}
	mustAppend(t, st, "old", Change{KindStorage, ops(1)}, Change{KindYjs, []byte{1}})
	existed, err = rp.replaceRoom(ctx, "old", Snapshot{Yjs: []byte{5}, Seq: 99}, at)
	if err != nil || !existed {
		t.Fatalf("replaceRoom(old) = %v, %v", existed, err)
	}
	r := mustLoad(t, st, "old")
	if r.Snapshot.Storage != nil || !bytes.Equal(r.Snapshot.Yjs, []byte{5}) || r.Snapshot.Seq != 2 || len(r.Changes) != 0 {
		t.Fatalf("replaced room = %+v, want Yjs only at Seq 2", r)
	}
	if last := mustAppend(t, st, "old", Change{KindYjs, []byte{6}}); last != 3 {
		t.Fatalf("Append after replace = %d, want 3", last)
	}
}
