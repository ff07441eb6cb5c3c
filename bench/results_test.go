package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeReportFile(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWriteResultsPairsAndTargets(t *testing.T) {
	dir := t.TempDir()
	idleOurs := &Report{Scenario: "idle", Target: "server", Rooms: 2000, ClientsPerRoom: 5, Connections: 10000,
		Connect: ConnectStats{PerSec: 5000}, Server: &ServerProcess{RSSPerConnBytes: 2900, CPUPercent: 3}}
	idleRelay := &Report{Scenario: "idle", Target: "relay", Rooms: 2000, ClientsPerRoom: 5, Connections: 10000,
		Connect: ConnectStats{PerSec: 6000}, Server: &ServerProcess{RSSPerConnBytes: 9800, CPUPercent: 2}}
	fan := &CompareReport{Scenario: "fanout",
		A: &Report{Scenario: "fanout", Target: "server", Rooms: 1000, ClientsPerRoom: 5, HzPerClient: 5, Connections: 5000,
			Expected: 100, Delivered: 100, DeliveredPct: 100, Latency: &LatencyStats{P50Ms: 2, P99Ms: 12}},
		B: &Report{Scenario: "fanout", Target: "relay", Rooms: 1000, ClientsPerRoom: 5, HzPerClient: 5, Connections: 5000,
			Expected: 100, Delivered: 100, DeliveredPct: 100, Latency: &LatencyStats{P50Ms: 1, P99Ms: 6}},
	}
	storm := &Report{Scenario: "joinstorm", Target: "server", Rooms: 1, ClientsPerRoom: 2000, Connections: 2000,
		Join: &JoinStats{Clients: 2000, FullClients: 2000, Settled: true, SettleMs: 2500}}
	files := []string{
		writeReportFile(t, dir, "idle-ours.json", idleOurs),
		writeReportFile(t, dir, "fan.json", fan),
		writeReportFile(t, dir, "idle-relay.json", idleRelay),
		writeReportFile(t, dir, "storm.json", storm),
	}
	var b strings.Builder
	if err := WriteResults(&b, files); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| idle: 10,000 conns, rooms of 5 | server rss / conn | 2.8 KiB | 9.6 KiB | 0.30 | ≤ 3 KB | met |",
		"| fanout: 1000 room(s) × 5, 5 Hz | delivered | 100.0% | 100.0% | 1.00 | all | met |",
		"| latency p99 | 12.000 ms | 6.000 ms | 2.00 | ≤ 10 ms | not met |",
		"| joinstorm: 2,000 clients, one room | settle time | 2.50 s | — | — | ≤ 5 s, all | met |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Count(out, "| idle:") != 1 {
		t.Errorf("idle runs not paired:\n%s", out)
	}
}

func TestMainResultsUsage(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(t.Context(), []string{"results"}, &out, &errb); code != 2 {
		t.Fatalf("code %d", code)
	}
}
