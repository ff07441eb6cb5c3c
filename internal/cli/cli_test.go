package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParse_EnvFillsFlagsNotGiven(t *testing.T) {
	fs, f := newServeFlags(io.Discard)
	env := map[string]string{"LIVELY_HEARTBEAT_TIMEOUT": "150ms", "LIVELY_ADDR": "127.0.0.1:7", "LIVELY_MEMORY": "true"}
	if err := parse(fs, []string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if f.addr != "127.0.0.1:0" {
		t.Fatalf("command line must win over env: %s", f.addr)
	}
	if f.heartbeatTimeout != 150*time.Millisecond || !f.store.memory {
		t.Fatalf("env not applied: %v %v", f.heartbeatTimeout, f.store.memory)
	}
	fs, _ = newServeFlags(io.Discard)
	if err := parse(fs, nil, func(k string) string {
		if k == "LIVELY_CLEANUP_TIMEOUT" {
			return "soon"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "LIVELY_CLEANUP_TIMEOUT") {
		t.Fatalf("bad env value must name the variable: %v", err)
	}
}

func TestRun_UsageErrors(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"--no-such-flag"}, {"serve", "extra"}, {"--log-format", "xml", "--memory"},
		{"--heartbeat-timeout", "0s", "--memory"}, {"--static-dir", "/does/not/exist", "--memory"}} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), args, nil, &out, &errb); code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errb.String(), ExitUsage)
		}
	}
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"help"}, nil, &out, io.Discard); code != ExitOK || !strings.Contains(out.String(), "Usage:") {
		t.Fatalf("help: %d %s", code, out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitBanner polls the server's output (it runs on another goroutine) for
// the banner line matching pattern and returns the pattern's first group.
func waitBanner(t *testing.T, out, errb *syncBuffer, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no %q in the banner: %q %q", pattern, out.String(), errb.String())
	return ""
}

func TestServe_BannerHealthAndGracefulStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--memory", "--log-level", "debug"}, nil, &out, &errb)
	}()
	health := waitBanner(t, &out, &errb, `Health\s+(http://\S+)`)
	resp, err := http.Get(health)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health %d", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "ws://127.0.0.1:") || !strings.Contains(out.String(), "/rooms/{roomId}") {
		t.Fatalf("banner %q", out.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestServe_DebugAddrServesProfiler(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--memory", "--debug-addr", "127.0.0.1:0"}, nil, &out, &errb)
	}()
	prof := waitBanner(t, &out, &errb, `Profiler\s+(http://\S+)`)
	resp, err := http.Get(prof + "goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("goroutine profile: %d %q", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get(prof); err == nil {
		t.Fatal("the profiler still answers after the server stopped")
	}
}

func TestServe_BadDebugAddr(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"--addr", "127.0.0.1:0", "--memory", "--debug-addr", "256.0.0.1:0"}, nil, &out, &errb)
	if code != ExitFailure || !strings.Contains(errb.String(), "--debug-addr") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestRooms_StoreFlagsAnywhere(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"rooms", "list", "--memory"}, nil, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "No rooms found.") {
		t.Fatalf("out %q", out.String())
	}
	out.Reset()
	dir := t.TempDir()
	if code := Run(context.Background(), []string{"rooms", "--data-dir", dir, "inspect", "nope"}, nil, &out, &errb); code != ExitFailure {
		t.Fatalf("inspect missing room: exit %d", code)
	}
}
