package roomscli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// testNow is the CLI's clock in every test.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture runs commands against one memory store and records a transcript
// for a golden file.
type fixture struct {
	t       *testing.T
	st      *store.Memory
	storeAt time.Time // the store's clock: UpdatedAt of the next write
	dir     string    // replaced by $DIR in the transcript
	log     strings.Builder
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, storeAt: testNow}
	st, err := store.Open(context.Background(), store.Options{Memory: true, Now: func() time.Time { return f.storeAt }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() }) // memory store: nothing to report
	f.st = st.(*store.Memory)
	return f
}

// keepOpen is the fixture's store without Close, so that Run's Close does
// not end it. It embeds the concrete type so that the store's optional
// methods (the atomic replace used by imports) stay visible.
type keepOpen struct{ *store.Memory }

func (keepOpen) Close() error { return nil }

// append stores changes with UpdatedAt = testNow - ago.
func (f *fixture) append(id string, ago time.Duration, changes ...store.Change) {
	f.t.Helper()
	f.storeAt = testNow.Add(-ago)
	if _, err := f.st.Append(context.Background(), id, changes); err != nil {
		f.t.Fatal(err)
	}
}

// snapshot stores a snapshot folding everything, with UpdatedAt = testNow - ago.
func (f *fixture) snapshot(id string, ago time.Duration, storage, yjs []byte) {
	f.t.Helper()
	f.storeAt = testNow.Add(-ago)
	var seq uint64
	if r, err := f.st.Load(context.Background(), id); err == nil {
		seq = r.LastSeq()
	}
	if err := f.st.WriteSnapshot(context.Background(), id, store.Snapshot{Storage: storage, Yjs: yjs, Seq: seq}); err != nil {
		f.t.Fatal(err)
	}
}

// run runs one command and adds it to the transcript.
func (f *fixture) run(stdin string, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Open:   func(context.Context) (store.Store, error) { return keepOpen{f.st}, nil },
		Now:    func() time.Time { return testNow },
	})
	fmt.Fprintf(&f.log, "%s\n", strings.TrimSpace("$ rooms "+strings.Join(quoteArgs(args), " ")))
	if stdin != "" {
		fmt.Fprintf(&f.log, "(stdin %q)\n", stdin)
	}
	f.log.WriteString(out.String())
	if errb.Len() > 0 {
		f.log.WriteString("--- stderr\n" + errb.String())
	}
	fmt.Fprintf(&f.log, "--- exit %d\n\n", code)
	return out.String(), errb.String(), code
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$") || !printable(a) {
			a = fmt.Sprintf("%q", a)
		}
		out[i] = a
	}
	return out
}

// golden compares the transcript with testdata/<name>.golden (rewritten
// with -update).
func (f *fixture) golden(name string) {
	f.t.Helper()
	got := f.log.String()
	if f.dir != "" {
		got = strings.ReplaceAll(got, f.dir, "$DIR")
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		f.t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRun_Usage(t *testing.T) {
	f := newFixture(t)
	cases := [][]string{
		{},
		{"bogus"},
		{"--help"},
		{"list", "extra"},
		{"inspect"},
		{"inspect", "a", "b"},
		{"export"},
		{"clear", "a", "b"},
		{"clear", "--nope"},
		{"import"},
		{"list", "-h"},
	}
	for _, args := range cases {
		_, _, code := f.run("", args...)
		want := ExitUsage
		if len(args) > 0 && (args[0] == "--help" || args[len(args)-1] == "-h") {
			want = ExitOK
		}
		if code != want {
			t.Errorf("rooms %v: exit %d, want %d", args, code, want)
		}
	}
	f.golden("usage")
}

func TestRun_OpenFails(t *testing.T) {
	var out, errb bytes.Buffer
	opened := false
	code := Run(context.Background(), []string{"list"}, Env{
		Stdout: &out, Stderr: &errb, Now: time.Now,
		Open: func(context.Context) (store.Store, error) {
			opened = true
			return nil, errors.New("no database")
		},
	})
	if code != ExitFailure || !opened || errb.String() != "error: no database\n" || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

func TestRun_UsageErrorDoesNotOpen(t *testing.T) {
	code := Run(context.Background(), []string{"inspect"}, Env{
		Stdout: new(bytes.Buffer), Stderr: new(bytes.Buffer),
		Open: func(context.Context) (store.Store, error) {
			t.Fatal("Open called for a usage error")
			return nil, nil
		},
	})
	if code != ExitUsage {
		t.Fatalf("exit %d", code)
	}
}

func TestRun_StoreFailure(t *testing.T) {
	st := store.OpenMemory()
	st.Close()
	var errb bytes.Buffer
	code := Run(context.Background(), []string{"list"}, Env{
		Stdout: new(bytes.Buffer), Stderr: &errb,
		Open: func(context.Context) (store.Store, error) { return st, nil },
	})
	if code != ExitFailure || !strings.Contains(errb.String(), "store: closed") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestMain_ClosesStore(t *testing.T) {
	st := store.OpenMemory()
	var out bytes.Buffer
	code := Main(context.Background(), []string{"list"}, strings.NewReader(""), &out, new(bytes.Buffer),
		func(context.Context) (store.Store, error) { return st, nil })
	if code != ExitOK || out.String() != "No rooms found.\n" {
		t.Fatalf("exit %d, stdout %q", code, out.String())
	}
	if _, err := st.List(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("store not closed: %v", err)
	}
}

func TestPositional_FlagsAnywhere(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantYes bool
	}{
		{[]string{"room", "--yes"}, []string{"room"}, true},
		{[]string{"-y", "room"}, []string{"room"}, true},
		{[]string{"--", "-room"}, []string{"-room"}, false},
		{[]string{"-y", "--", "--yes"}, []string{"--yes"}, true},
		{nil, nil, false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("clear", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		var yes bool
		fs.BoolVar(&yes, "yes", false, "")
		fs.BoolVar(&yes, "y", false, "")
		pos, err := positional(fs, tc.args, 0, 1)
		if err != nil || fmt.Sprint(pos) != fmt.Sprint(tc.wantPos) || yes != tc.wantYes {
			t.Errorf("%v: pos %v yes %v err %v; want %v %v", tc.args, pos, yes, err, tc.wantPos, tc.wantYes)
		}
	}
}
