package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestOpen_SelectsBackend(t *testing.T) {
	ctx := context.Background()
	mem, err := Open(ctx, Options{Memory: true, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, ok := mem.(*Memory); !ok {
		t.Fatalf("Memory: got %T", mem)
	}

	dir := filepath.Join(t.TempDir(), "data")
	lite, err := Open(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if s, ok := lite.(*SQLite); !ok || s.Path() != filepath.Join(dir, "lively.db") {
		t.Fatalf("DataDir: got %T", lite)
	}

	if _, err := Open(ctx, Options{DatabaseURL: "postgres://u:pw@127.0.0.1:1/db?connect_timeout=1", Memory: true}); err == nil {
		t.Fatal("DatabaseURL did not win over Memory")
	}
}

func TestOpen_Clock(t *testing.T) {
	at := time.Date(2020, 5, 6, 7, 8, 9, 123_456_789, time.UTC)
	st, err := Open(context.Background(), Options{Memory: true, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustAppend(t, st, "r", Change{KindYjs, []byte{1}})
	if got := mustLoad(t, st, "r").UpdatedAt; !got.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("UpdatedAt = %v, want %v truncated to ms", got, at)
	}
}

func TestKind_String(t *testing.T) {
	for k, want := range map[Kind]string{
		KindStorage: "storage", KindStorageInit: "storage-init", KindYjs: "yjs", 0: "kind(0)", 7: "kind(7)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(k), got, want)
		}
	}
}

func TestValidateRoomID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"room", true},
		{"a:b/c d 🙂", true},
		{strings.Repeat("é", MaxRoomIDBytes/2), true},
		{"", false},
		{"nul\x00", false},
		{"bad\xc3", false},
		{strings.Repeat("x", MaxRoomIDBytes+1), false},
	}
	for _, tc := range tests {
		err := ValidateRoomID(tc.id)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidRoomID)) {
			t.Errorf("ValidateRoomID(%.20q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
	}
}

func TestRoom_LastSeq(t *testing.T) {
	r := &Room{Snapshot: Snapshot{Seq: 4}}
	if r.LastSeq() != 4 {
		t.Fatal(r.LastSeq())
	}
	r.Changes = []StoredChange{{Seq: 5}, {Seq: 6}}
	if r.LastSeq() != 6 {
		t.Fatal(r.LastSeq())
	}
}

// benchBackends opens each backend for a benchmark (PostgreSQL only when
// LIVELY_TEST_DATABASE_URL is set).
func benchBackends(b *testing.B, fn func(b *testing.B, st Store)) {
	b.Run("memory", func(b *testing.B) {
		st := OpenMemory()
		defer st.Close()
		fn(b, st)
	})
	b.Run("sqlite", func(b *testing.B) {
		st, err := OpenSQLite(filepath.Join(b.TempDir(), "lively.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := OpenPostgres(context.Background(), postgresSchema(b))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
}

func benchChanges(n int) []Change {
	changes := make([]Change, n)
	for i := range changes {
		changes[i] = Change{KindStorage, ops(i)} // about 60 bytes
	}
	return changes
}

func benchmarkAppend(b *testing.B, batch int) {
	benchBackends(b, func(b *testing.B, st Store) {
		ctx := context.Background()
		changes := benchChanges(batch)
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			if _, err := st.Append(ctx, "bench", changes); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n*batch)/b.Elapsed().Seconds(), "changes/s")
	})
}

// BenchmarkAppend_Batch100 appends batches of 100 small changes to one room.
func BenchmarkAppend_Batch100(b *testing.B) { benchmarkAppend(b, 100) }

// BenchmarkAppend_Batch1 appends one change per transaction: the cost of a
// commit.
func BenchmarkAppend_Batch1(b *testing.B) { benchmarkAppend(b, 1) }

// BenchmarkAppend_Parallel appends batches of 10 from parallel goroutines,
// one room each, as many busy rooms do.
func BenchmarkAppend_Parallel(b *testing.B) {
	benchBackends(b, func(b *testing.B, st Store) {
		changes := benchChanges(10)
		var rooms atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			room := fmt.Sprintf("bench-%d", rooms.Add(1))
			for pb.Next() {
				if _, err := st.Append(context.Background(), room, changes); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "changes/s")
	})
}

// BenchmarkLoad loads a room with a 64 KiB snapshot and 1000 pending changes.
func BenchmarkLoad(b *testing.B) {
	benchBackends(b, func(b *testing.B, st Store) {
		ctx := context.Background()
		for range 10 {
			if _, err := st.Append(ctx, "bench", benchChanges(100)); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.WriteSnapshot(ctx, "bench", Snapshot{Storage: make([]byte, 64<<10), Seq: 0}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.Load(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
