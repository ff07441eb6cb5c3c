package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/internal/wstest"
	"github.com/lively-actor/lively/store"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lively-actor-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "lively-actor")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the binary:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running lively-actor binary.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	done chan error
	logs *strings.Builder
}

var bannerURL = regexp.MustCompile(`WebSocket\s+(ws://\S+)/rooms/\{roomId\}`)

func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &strings.Builder{}
	cmd.Stderr = &lockedWriter{w: logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan error, 1), logs: logs}
	urls := make(chan string, 1)
	go func() { // reads the banner, then drains stdout until the process exits
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := bannerURL.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	select {
	case p.url = <-urls:
	case err := <-p.done:
		t.Fatalf("binary exited before its banner: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no banner\n%s", logs.String())
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

type lockedWriter struct {
	w *strings.Builder
}

func (l *lockedWriter) Write(b []byte) (int, error) { return l.w.Write(b) }

// stop sends sig and waits for the exit status.
func (p *proc) stop(sig syscall.Signal) error {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		p.t.Fatal("binary did not exit")
	}
	return nil
}

func (p *proc) room(room, user string) *wstest.Client {
	return wstest.Dial(p.t, p.url+"/rooms/"+room+"?userId="+user)
}

// backends are the store flags to test: SQLite always, PostgreSQL when
// LIVELY_TEST_DATABASE_URL is set (scripts/test.sh starts one).
func backends(t *testing.T) map[string]func(t *testing.T) []string {
	b := map[string]func(t *testing.T) []string{
		"sqlite": func(t *testing.T) []string { return []string{"--data-dir", t.TempDir()} },
	}
	if url := os.Getenv("LIVELY_TEST_DATABASE_URL"); url != "" {
		b["postgres"] = func(t *testing.T) []string { return []string{"--database-url", url} }
	} else {
		t.Log("LIVELY_TEST_DATABASE_URL not set: PostgreSQL restart tests skipped")
	}
	return b
}

func uniqueRoom(t *testing.T) string {
	return fmt.Sprintf("r-%s-%d", strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()), time.Now().UnixNano())
}

const root = `{"type":"LiveObject","data":{"n":0,"items":{"type":"LiveList","items":[]}}}`

func seed(t *testing.T, c *wstest.Client) {
	t.Helper()
	if m := c.NextOfType("storage:init"); !strings.Contains(string(m.Data), `"root":null`) {
		t.Fatalf("fresh room has storage: %s", m.Data)
	}
	c.Send(`{"type":"storage:init","root":` + root + `}`)
	c.NextOfType("storage:init")
}

func TestBinary_GracefulRestartKeepsStorage(t *testing.T) {
	for name, flags := range backends(t) {
		t.Run(name, func(t *testing.T) {
			args := flags(t)
			room := uniqueRoom(t)
			p := startBinary(t, args...)
			c := p.room(room, "alice")
			seed(t, c)
			c.Send(`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"n","value":42,"clock":1},` +
				`{"type":"list-insert","path":["items"],"position":"V","value":"a","clock":2}]}`)
			c.NextOfType("storage:ops")
			if err := p.stop(syscall.SIGTERM); err != nil {
				t.Fatalf("graceful exit: %v\n%s", err, p.logs.String())
			}
			if code, _ := c.WaitClosed(); code != 1001 {
				t.Fatalf("close code %d, want 1001", code)
			}
			p2 := startBinary(t, args...)
			d := p2.room(room, "bob")
			m := d.NextOfType("storage:init")
			if !strings.Contains(string(m.Data), `"n":42`) || !strings.Contains(string(m.Data), `{"position":"V","value":"a"}`) {
				t.Fatalf("after restart: %s", m.Data)
			}
		})
	}
}

func TestBinary_SIGKILLAfterFlushKeepsStorage(t *testing.T) {
	for name, flags := range backends(t) {
		t.Run(name, func(t *testing.T) {
			args := append(flags(t), "--flush-interval", "20ms")
			room := uniqueRoom(t)
			p := startBinary(t, args...)
			c := p.room(room, "alice")
			seed(t, c)
			c.Send(`{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"n","value":7,"clock":1}]}`)
			c.NextOfType("storage:ops")
			waitStored(t, args, room, func(r *store.Room) bool { return len(r.Changes) >= 2 || len(r.Snapshot.Storage) > 0 })
			_ = p.stop(syscall.SIGKILL)
			p2 := startBinary(t, args...)
			m := p2.room(room, "bob").NextOfType("storage:init")
			if !strings.Contains(string(m.Data), `"n":7`) {
				t.Fatalf("after SIGKILL: %s", m.Data)
			}
		})
	}
}

// waitStored polls the store (opened alongside the server) until ok.
func waitStored(t *testing.T, args []string, room string, ok func(*store.Room) bool) {
	t.Helper()
	opts := store.Options{}
	for i := 0; i < len(args)-1; i++ {
		switch args[i] {
		case "--data-dir":
			opts.DataDir = args[i+1]
		case "--database-url":
			opts.DatabaseURL = args[i+1]
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := st.Load(ctx, room)
		if err == nil && ok(r) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("store never caught up: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBinary_SIGKILLMidBurstLeavesPrefix kills the server while a client
// pushes list items one message at a time; the restarted server must load,
// and its list must be exactly the first k pushed items.
func TestBinary_SIGKILLMidBurstLeavesPrefix(t *testing.T) {
	for name, flags := range backends(t) {
		t.Run(name, func(t *testing.T) {
			args := append(flags(t), "--flush-interval", "5ms")
			room := uniqueRoom(t)
			p := startBinary(t, args...)
			c := p.room(room, "alice")
			seed(t, c)
			const n = 400
			pos := ""
			sent := make([]time.Time, 0, n)
			var killed time.Time
			for i := 0; i < n; i++ {
				pos = crdt.KeyBetween(pos, "")
				sent = append(sent, time.Now())
				c.Send(fmt.Sprintf(`{"type":"storage:ops","ops":[{"type":"list-insert","path":["items"],"position":%q,"value":%d,"clock":%d}]}`, pos, i, i+1))
				if i == n/2 {
					// mid-burst: some batches are written, others in flight
					waitStored(t, args, room, func(r *store.Room) bool { return len(r.Changes) > 3 })
					killed = time.Now()
					_ = p.stop(syscall.SIGKILL)
					break
				}
			}
			p2 := startBinary(t, args...)
			m := p2.room(room, "bob").NextOfType("storage:init")
			var msg struct {
				Root struct {
					Data struct {
						Items struct {
							Items []struct {
								Value int `json:"value"`
							} `json:"items"`
						} `json:"items"`
					} `json:"data"`
				} `json:"root"`
			}
			if err := json.Unmarshal(m.Data, &msg); err != nil {
				t.Fatalf("restored %s: %v", m.Data, err)
			}
			items := msg.Root.Data.Items.Items
			if len(items) == 0 {
				t.Fatalf("nothing restored: %s", m.Data)
			}
			for i, it := range items {
				if it.Value != i {
					t.Fatalf("restored list is not a prefix of the pushes at %d: %s", i, m.Data)
				}
			}
			lost := "none"
			if len(items) < len(sent) {
				lost = killed.Sub(sent[len(items)]).String()
			}
			t.Logf("%s: %d of %d pushes survived SIGKILL; oldest lost push was sent %s before the kill (flush interval 5ms)",
				name, len(items), len(sent), lost)
		})
	}
}
