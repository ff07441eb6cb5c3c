package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleReport is a fanout report with fixed numbers.
func sampleReport() *Report {
	return &Report{
		Scenario: "fanout", URL: "ws://127.0.0.1:1999", Target: "server", Encoding: "json",
		Rooms: 1, ClientsPerRoom: 200, Connections: 200, HzPerClient: 20, WarmupSec: 2, DurationSec: 10,
		Connect: ConnectStats{Attempted: 200, Connected: 200, Seconds: 0.05, PerSec: 4000, P50Ms: 1.25, P99Ms: 3.5, MaxMs: 4},
		Sent:    40000, SentPerSec: 4000, Expected: 7960000, Delivered: 7960000, DeliveredPct: 100, DeliveredPerSec: 796000,
		Received: 9000000, BenchCPUPercent: 61.5, HostCPUPressure: 75,
		Latency: &LatencyStats{Count: 7960000, P50Ms: 5.435, P90Ms: 17.631, P99Ms: 54.943, MaxMs: 163.711, MeanMs: 8},
		Server:  &ServerProcess{PID: 42, RSSBeforeKB: 12083, RSSStartKB: 16282, RSSEndKB: 18534, RSSPerConnBytes: 21500, CPUSeconds: 2.66, CPUPercent: 53.2, CPUPerDeliveryUs: 0.668},
		Errors:  3, ErrorKinds: []ErrorCount{{Kind: "closed by server: code 1008 slow consumer", Count: 3}},
	}
}

func TestReport_WriteTable_Golden(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `bench fanout  ws://127.0.0.1:1999  1 room(s) × 200 clients  20 Hz/client  json  warmup 2s  window 10s
metric                     value
connected              200 / 200
connect failed                 0
connect time                0.05  s
connect rate               4,000  /s
connect p50                 1.25  ms
connect p99                 3.50  ms
sent                      40,000
sent rate                  4,000  /s
target rate                4,000  /s
expected               7,960,000
delivered              7,960,000
delivered                 100.00  %
delivered rate           796,000  /s
latency p50                5.435  ms
latency p90               17.631  ms
latency p99               54.943  ms
latency max              163.711  ms
server rss before           11.8  MiB
server rss loaded           15.9  MiB
server rss end              18.1  MiB
server rss / conn          21.00  KiB
server cpu                  2.66  s
server cpu                  53.2  %
server cpu / delivery      0.668  µs
load generator cpu          61.5  %
host cpu pressure           75.0  %
errors                         3
error: closed by server: code 1008 slow consumer ×3
warning: host CPU pressure 75%: runnable tasks waited for a CPU most of the window (other processes, or bench and server starving each other); latency includes that wait
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestReport_WriteTable_ScenarioRows(t *testing.T) {
	idle := &Report{Scenario: "idle", Connections: 10, ClientsPerRoom: 5, Sent: 7, Received: 9}
	join := &Report{Scenario: "joinstorm", Connections: 4, Join: &JoinStats{Clients: 4, FullClients: 4, Settled: true, SettleMs: 12.5, PresenceMessages: 10, PresencePerClient: 2.5, QuadraticBound: 4}}
	na := &Report{Scenario: "storage", Target: "relay", NotApplicable: "needs a server"}
	cases := []struct {
		r    *Report
		want []string
		not  []string
	}{
		{r: idle, want: []string{"10 connections in rooms of 5", "heartbeats sent", "messages received"}, not: []string{"latency"}},
		{r: join, want: []string{"4 clients into one room", "yes", "settle time", "clients with full list  4 / 4", "N²/4 bound"}, not: []string{"warmup", "latency"}},
		{r: na, want: []string{"(relay baseline)", "n/a on relay: needs a server"}, not: []string{"metric"}},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		if err := tc.r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s table lacks %q:\n%s", tc.r.Scenario, w, b.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(b.String(), w) {
				t.Errorf("%s table has %q:\n%s", tc.r.Scenario, w, b.String())
			}
		}
	}
}

func TestReport_JSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := writeJSON(path, sampleReport()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scenario", "url", "target", "connect", "sent", "expected", "delivered", "delivered_per_s", "latency", "server_process", "errors", "error_kinds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if _, ok := m["joinstorm"]; ok {
		t.Error("fanout JSON has a joinstorm section")
	}
	lat := m["latency"].(map[string]any)
	if lat["p99_ms"] != 54.943 {
		t.Errorf("latency %v", lat)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || back.Delivered != 7960000 || back.Server.RSSEndKB != 18534 {
		t.Errorf("round trip %+v, %v", back, err)
	}
}
