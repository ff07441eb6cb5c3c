package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func openSQLiteHarness(t *testing.T, now func() time.Time) *harness {
	if now == nil {
		now = time.Now
	}
	path := filepath.Join(t.TempDir(), SQLiteFileName)
	open := func(t *testing.T) Store {
		st, err := openSQLite(path, now)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open(t)
	t.Cleanup(func() { _ = st.Close() }) // idempotent; tests may close first
	return &harness{Store: st, another: open}
}

func TestSQLite_Conformance(t *testing.T) {
	runConformance(t, openSQLiteHarness)
}

func TestOpenDefault_CreatesDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	st, err := OpenDefault(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if want := filepath.Join(dir, "lively.db"); st.Path() != want {
		t.Fatalf("Path = %q, want %q", st.Path(), want)
	}
	if _, err := os.Stat(st.Path()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSQLite_PathWithURISpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "we?ird #dir%20")
	st, err := OpenDefault(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustAppend(t, st, "r", Change{KindYjs, []byte{1}})
	if _, err := os.Stat(filepath.Join(dir, "lively.db")); err != nil {
		t.Fatalf("database not at the literal path: %v", err)
	}
}

// TestSQLite_PlainSQL reads the file the way a user with the sqlite3 shell
// would: plain tables, the room id as is, JSON functions on the root.
func TestSQLite_PlainSQL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lively.db")
	st, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustAppend(t, st, "ns:room.v2", Change{KindStorage, ops(1)})
	if err := st.WriteSnapshot(ctx, "ns:room.v2",
		Snapshot{Storage: []byte(`{"type":"LiveObject","data":{"title":"hi"}}`), Seq: 1}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, st, "ns:room.v2", Change{KindYjs, []byte{0, 0}})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WAL file left after Close: %v", err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id, title string
	var version, changes int
	if err := db.QueryRow(`SELECT id, json_extract(storage, '$.data.title'),
		(SELECT count(*) FROM changes), (SELECT max(version) FROM schema_version) FROM rooms`).
		Scan(&id, &title, &changes, &version); err != nil {
		t.Fatal(err)
	}
	if id != "ns:room.v2" || title != "hi" || changes != 1 || version != len(sqliteMigrations()) {
		t.Fatalf("got id=%q title=%q changes=%d version=%d", id, title, changes, version)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
}

func TestOpenSQLite_SchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lively.db")
	st, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.w.Exec("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(path); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenSQLite_Reopen_MigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lively.db")
	for range 3 {
		st, err := OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.r.QueryRow("SELECT count(*) FROM schema_version").Scan(&n); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if n != len(sqliteMigrations()) {
			t.Fatalf("%d schema_version rows, want %d", n, len(sqliteMigrations()))
		}
	}
}

// crashChildEnv tells the test binary to run as crash child on this path.
const crashChildEnv = "LIVELY_STORE_CRASH_CHILD"

// crashBatch is the number of changes per Append in the crash test.
const crashBatch = 3

// crashData is the deterministic content of change seq.
func crashData(seq uint64) []byte {
	return fmt.Appendf(nil, `[{"seq":%d,"pad":%q}]`, seq, strings.Repeat("x", int(seq%97)))
}

// crashSnapshot is the deterministic snapshot folding changes up to seq.
func crashSnapshot(seq uint64) []byte { return fmt.Appendf(nil, `{"folded":%d}`, seq) }

// TestSQLite_CrashChild is not a test: run by TestSQLite_SIGKILL, it appends
// batches forever and prints "ok <lastSeq>" after each acknowledged one.
func TestSQLite_CrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper process for TestSQLite_SIGKILL")
	}
	st, err := OpenSQLite(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ctx := context.Background()
	var last uint64
	if r, err := st.Load(ctx, "crash"); err == nil {
		last = r.LastSeq()
	}
	for i := 0; ; i++ {
		changes := make([]Change, crashBatch)
		for k := range changes {
			changes[k] = Change{KindStorage, crashData(last + uint64(k) + 1)}
		}
		if last, err = st.Append(ctx, "crash", changes); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if i%10 == 9 {
			if err := st.WriteSnapshot(ctx, "crash", Snapshot{Storage: crashSnapshot(last), Seq: last}); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
		}
		fmt.Println("ok", last)
	}
}

// TestSQLite_SIGKILL kills a writing process at an arbitrary point, three
// times, and checks that the database opens and holds exactly a prefix of the
// batches: every acknowledged one, whole batches only, in order.
func TestSQLite_SIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "lively.db")
	var acked uint64
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLite_CrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		target := acked + 150*crashBatch
		sc := bufio.NewScanner(out)
		for acked < target && sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "ok "); ok {
				if acked, err = strconv.ParseUint(rest, 10, 64); err != nil {
					t.Fatal(err)
				}
			} else if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-write most likely
			t.Fatal(err)
		}
		_ = cmd.Wait() // "signal: killed" is the expected outcome
		if acked < target {
			t.Fatalf("round %d: child stopped at %d: %s", round, acked, stderr.String())
		}

		st, err := OpenSQLite(path)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		r := mustLoad(t, st, "crash")
		st.Close()
		last := r.LastSeq()
		if last < acked || last%crashBatch != 0 {
			t.Fatalf("round %d: last seq %d, acknowledged %d (batches of %d)", round, last, acked, crashBatch)
		}
		if r.Snapshot.Seq > 0 && !bytes.Equal(r.Snapshot.Storage, crashSnapshot(r.Snapshot.Seq)) {
			t.Fatalf("round %d: snapshot %q at seq %d", round, r.Snapshot.Storage, r.Snapshot.Seq)
		}
		for i, c := range r.Changes {
			if want := r.Snapshot.Seq + uint64(i) + 1; c.Seq != want || !bytes.Equal(c.Data, crashData(want)) {
				t.Fatalf("round %d: change %d = %d %q, want seq %d", round, i, c.Seq, c.Data, want)
			}
		}
		acked = last
	}
}
