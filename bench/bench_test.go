package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// startRelay serves the relay baseline on 127.0.0.1:0 until the test ends
// and returns its ws:// URL.
func startRelay(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- RunRelay(ctx, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		cancel()
		t.Fatalf("relay: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("relay returned %v", err)
		}
	})
	return "ws://" + addr
}

// smoke returns short Options for a scenario smoke run.
func smoke(scenario, url string) Options {
	return Options{
		Scenario: scenario,
		URL:      url,
		Warmup:   200 * time.Millisecond,
		Duration: 600 * time.Millisecond,
		Drain:    time.Second,
	}
}

// checkDelivery asserts only that the harness worked: something was
// delivered, nothing beyond what was expected, no errors.
func checkDelivery(t *testing.T, rep *Report) {
	t.Helper()
	if rep.NotApplicable != "" {
		t.Fatalf("not applicable: %s", rep.NotApplicable)
	}
	if rep.Connect.Connected != int64(rep.Connections) || rep.Connect.Failed != 0 {
		t.Errorf("connected %d/%d, failed %d", rep.Connect.Connected, rep.Connections, rep.Connect.Failed)
	}
	if rep.Sent <= 0 || rep.Delivered <= 0 {
		t.Errorf("sent %d delivered %d, want both > 0", rep.Sent, rep.Delivered)
	}
	if rep.Expected < rep.Delivered {
		t.Errorf("expected %d < delivered %d", rep.Expected, rep.Delivered)
	}
	if rep.Latency == nil || rep.Latency.Count != rep.Delivered || rep.Latency.P50Ms <= 0 || rep.Latency.MaxMs < rep.Latency.P99Ms {
		t.Errorf("latency %+v for %d deliveries", rep.Latency, rep.Delivered)
	}
	if rep.Errors != 0 {
		t.Errorf("errors %d: %v", rep.Errors, rep.ErrorKinds)
	}
	if t.Failed() {
		b, _ := json.MarshalIndent(rep, "", "  ")
		t.Logf("report: %s", b)
	}
}

func TestRun_Fanout_Relay(t *testing.T) {
	url := startRelay(t)
	for _, enc := range []string{"json", "msgpack"} {
		t.Run(enc, func(t *testing.T) {
			o := smoke("fanout", url)
			o.Rooms, o.Clients, o.Hz, o.Encoding = 2, 4, 50, enc
			o.ServerPID = os.Getpid() // the relay runs in this process
			rep, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkDelivery(t, rep)
			if rep.Target != "relay" {
				t.Errorf("target %q, want relay", rep.Target)
			}
			if rep.Server == nil || rep.Server.RSSEndKB <= 0 || rep.Server.Error != "" {
				t.Errorf("server process %+v", rep.Server)
			}
		})
	}
}

func TestRun_FanoutRateMax_Relay(t *testing.T) {
	o := smoke("fanout", startRelay(t))
	// No warmup: as-fast-as-possible senders fill the socket buffers within
	// moments, and on a loaded machine the first in-window send can then
	// wait longer than a short window lasts.
	o.Rooms, o.Clients, o.RateMax, o.Warmup = 1, 3, true, -1
	o.Duration, o.Drain = 300*time.Millisecond, 500*time.Millisecond
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivery(t, rep)
}

func TestRun_Fanout_FakeLively(t *testing.T) {
	o := smoke("fanout", startFakeLively(t))
	o.Rooms, o.Clients, o.Hz = 2, 3, 50
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivery(t, rep)
	if rep.Target != "server" {
		t.Errorf("target %q, want server", rep.Target)
	}
}

func TestRun_Yjs_Relay(t *testing.T) {
	o := smoke("yjs", startRelay(t))
	o.Rooms, o.Clients, o.Hz = 2, 3, 50
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivery(t, rep)
}

func TestRun_Idle_Relay(t *testing.T) {
	o := smoke("idle", startRelay(t))
	o.Conns, o.Clients, o.Heartbeat = 25, 4, 100*time.Millisecond
	o.ServerPID = os.Getpid()
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Connect.Connected != 25 || rep.Rooms != 7 || rep.Errors != 0 {
		t.Fatalf("connected %d rooms %d errors %d %v", rep.Connect.Connected, rep.Rooms, rep.Errors, rep.ErrorKinds)
	}
	if rep.Sent <= 0 || rep.Received <= 0 || rep.Connect.PerSec <= 0 {
		t.Errorf("sent %d received %d connect rate %f", rep.Sent, rep.Received, rep.Connect.PerSec)
	}
	if rep.Server == nil || rep.Server.RSSStartKB <= 0 {
		t.Errorf("server process %+v", rep.Server)
	}
}

func TestRun_Storage_FakeLively(t *testing.T) {
	for _, enc := range []string{"json", "msgpack"} {
		t.Run(enc, func(t *testing.T) {
			o := smoke("storage", startFakeLively(t))
			o.Rooms, o.Clients, o.Hz, o.Encoding = 2, 3, 50, enc
			rep, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkDelivery(t, rep)
		})
	}
}

func TestRun_StorageRateMax_FakeLively(t *testing.T) {
	o := smoke("storage", startFakeLively(t))
	o.Rooms, o.Clients, o.RateMax, o.InFlight = 2, 3, true, 4
	o.Duration, o.Drain = 300*time.Millisecond, 500*time.Millisecond
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivery(t, rep)
}

func TestRun_JoinStorm_FakeLively(t *testing.T) {
	o := smoke("joinstorm", startFakeLively(t))
	o.Clients, o.Duration = 20, 15*time.Second // a bound, not a target: ends once settled
	rep, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := rep.Join
	if j == nil || !j.Settled || j.FullClients != 20 || j.PresenceMessages < 20 {
		t.Fatalf("join %+v connect %+v errors %v", j, rep.Connect, rep.ErrorKinds)
	}
	if rep.Errors != 0 || rep.Connect.Connected != 20 {
		t.Errorf("connected %d errors %d %v", rep.Connect.Connected, rep.Errors, rep.ErrorKinds)
	}
}

func TestRun_ProtocolScenarios_RelayNotApplicable(t *testing.T) {
	url := startRelay(t)
	for _, sc := range []string{"storage", "joinstorm"} {
		t.Run(sc, func(t *testing.T) {
			rep, err := Run(context.Background(), smoke(sc, url), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.NotApplicable == "" || rep.Target != "relay" {
				t.Fatalf("report %+v, want n/a on relay", rep)
			}
			var b bytes.Buffer
			if err := rep.WriteTable(&b); err != nil || !strings.Contains(b.String(), "n/a on relay") {
				t.Errorf("table %q (%v)", b.String(), err)
			}
		})
	}
}

func TestRun_ConnectFailures_Reported(t *testing.T) {
	// A port nobody listens on: every dial is refused, the run still ends.
	o := smoke("fanout", "ws://127.0.0.1:1")
	o.Clients = 3
	rep, err := Run(context.Background(), o, nil)
	if !errors.Is(err, errNoConnection) || rep == nil {
		t.Fatalf("err %v, report %v; want errNoConnection with a report", err, rep)
	}
	if rep.Connect.Failed != 3 || rep.Errors != 3 || len(rep.ErrorKinds) == 0 {
		t.Fatalf("failed %d errors %d kinds %v", rep.Connect.Failed, rep.Errors, rep.ErrorKinds)
	}
}

func TestRun_RemoteTarget_Refused(t *testing.T) {
	_, err := Run(context.Background(), Options{Scenario: "fanout", URL: "ws://192.0.2.1:80"}, nil)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err %v, want loopback refusal", err)
	}
}

func TestRun_Progress_PlainLines(t *testing.T) {
	o := smoke("fanout", startRelay(t))
	o.Clients, o.Warmup, o.Duration = 2, 600*time.Millisecond, 600*time.Millisecond
	var buf syncBuffer
	if _, err := Run(context.Background(), o, &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "fanout") || !strings.Contains(out, "conns 2/2") || strings.Contains(out, "\r") {
		t.Errorf("progress output %q", out)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a concurrent reader.
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

func TestRun_LeavesNoGoroutines(t *testing.T) {
	url := startRelay(t)
	before := runtime.NumGoroutine()
	o := smoke("fanout", url)
	o.Clients, o.Warmup, o.Duration = 4, -1, 300*time.Millisecond
	if _, err := Run(context.Background(), o, &syncBuffer{}); err != nil {
		t.Fatal(err)
	}
	// The relay's per-connection goroutines end once it has seen our closes.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
