package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain_RelayAndScenario(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var relayOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- Main(ctx, []string{"relay", "--addr", "127.0.0.1:0"}, &relayOut, &relayOut) }()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s := relayOut.String(); strings.Contains(s, "ws://") {
			url = strings.TrimSpace(s[strings.Index(s, "ws://"):])
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("relay printed %q", relayOut.String())
	}
	jsonPath := filepath.Join(t.TempDir(), "out.json")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"fanout", "--url", url, "--clients", "3", "--hz", "50",
		"--warmup", "100ms", "--duration", "400ms", "--drain", "500ms", "--json", jsonPath, "--no-progress"}, &stdout, &stderr)
	if code != 0 {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "latency p99") {
		t.Errorf("stdout %q", stdout.String())
	}
	var rep Report
	if b, err := os.ReadFile(jsonPath); err != nil || json.Unmarshal(b, &rep) != nil || rep.Delivered <= 0 {
		t.Errorf("json report %+v (%v)", rep, err)
	}
	cancel()
	if c := <-done; c != 0 {
		t.Errorf("relay exit %d: %s", c, relayOut.String())
	}
}

func TestMain_Usage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{
			name: "no args",
			args: nil,
			code: 2,
			want: "usage: lively-actor bench",
		},
		{
			name: "help",
			args: []string{"--help"},
			code: 0,
			want: "joinstorm",
		},
		{
			name: "unknown scenario",
			args: []string{"nope", "--url", "ws://127.0.0.1:1"},
			code: 2,
			want: "unknown scenario",
		},
		{
			name: "missing url",
			args: []string{"fanout"},
			code: 2,
			want: "--url is required",
		},
		{
			name: "bad rate",
			args: []string{"fanout", "--url", "ws://127.0.0.1:1", "--rate", "fast"},
			code: 2,
			want: "--rate",
		},
		{
			name: "remote",
			args: []string{"fanout", "--url", "ws://192.0.2.1:80"},
			code: 2,
			want: "not a loopback address",
		},
		{
			name: "flag before scenario",
			args: []string{"--url", "ws://127.0.0.1:1", "fanout"},
			code: 2,
			want: "scenario comes first",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
				t.Errorf("exit %d (want %d), output %q, want %q", code, tc.code, out.String()+errb.String(), tc.want)
			}
		})
	}
}
