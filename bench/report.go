package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Report is the result of one scenario run against one server (or, in a
// comparison, the summary of several runs). The final table prints it and
// --json writes it.
type Report struct {
	Scenario       string  `json:"scenario"`
	URL            string  `json:"url"`
	Target         string  `json:"target"` // "relay" (the bench baseline) or "server"
	NotApplicable  string  `json:"not_applicable,omitempty"`
	Encoding       string  `json:"encoding"`
	Rooms          int     `json:"rooms"`
	ClientsPerRoom int     `json:"clients_per_room"`
	Connections    int     `json:"connections"`
	HzPerClient    float64 `json:"hz_per_client"`
	RateMax        bool    `json:"rate_max,omitempty"`
	WarmupSec      float64 `json:"warmup_s"`
	DurationSec    float64 `json:"duration_s"`
	Runs           int     `json:"runs,omitempty"` // >1: a summary of that many runs

	Connect ConnectStats `json:"connect"`

	Sent            int64   `json:"sent"` // sends inside the window
	SentPerSec      float64 `json:"sent_per_s"`
	Expected        int64   `json:"expected"`  // deliveries those sends should produce
	Delivered       int64   `json:"delivered"` // deliveries of those sends that arrived
	DeliveredPct    float64 `json:"delivered_pct"`
	DeliveredPerSec float64 `json:"delivered_per_s"`
	Received        int64   `json:"received"` // every message received, all phases

	// BenchCPUPercent is the load generator's own CPU over the window, in %
	// of one core: near the machine's core count it is the bottleneck.
	BenchCPUPercent float64 `json:"bench_cpu_pct,omitempty"`
	// HostCPUPressure is the share of the window during which some task on
	// the host waited for a CPU (/proc/pressure/cpu "some"). High values mean
	// the CPUs were oversubscribed: by other processes (then runs are not
	// comparable) or by the bench and the server themselves.
	HostCPUPressure float64 `json:"host_cpu_pressure_pct,omitempty"`

	Latency *LatencyStats  `json:"latency,omitempty"`
	Server  *ServerProcess `json:"server_process,omitempty"`
	Join    *JoinStats     `json:"joinstorm,omitempty"`

	Errors     int64        `json:"errors"`
	ErrorKinds []ErrorCount `json:"error_kinds,omitempty"`

	hist *hdrhistogram.Histogram // latency, kept for merging summaries
}

// ConnectStats describes the connect phase.
type ConnectStats struct {
	Attempted int64   `json:"attempted"`
	Connected int64   `json:"connected"`
	Failed    int64   `json:"failed"`
	Seconds   float64 `json:"seconds"`
	PerSec    float64 `json:"per_s"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
}

// LatencyStats is send-to-receive latency of the measured deliveries.
type LatencyStats struct {
	Count  int64   `json:"count"`
	P50Ms  float64 `json:"p50_ms"`
	P90Ms  float64 `json:"p90_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`
}

// ServerProcess is what --server-pid read from /proc: RSS before connecting,
// at the start of the window (connected and warmed up; joinstorm: unused)
// and at its end, and CPU time spent inside the window.
type ServerProcess struct {
	PID              int     `json:"pid"`
	RSSBeforeKB      int64   `json:"rss_before_kb"`
	RSSStartKB       int64   `json:"rss_start_kb"`
	RSSEndKB         int64   `json:"rss_end_kb"`
	RSSPerConnBytes  float64 `json:"rss_per_conn_bytes"`
	CPUSeconds       float64 `json:"cpu_s"`
	CPUPercent       float64 `json:"cpu_pct"`
	CPUPerDeliveryUs float64 `json:"cpu_per_delivery_us,omitempty"`
	// RSSMidKB is the reading nearest the middle of the window and RSSMaxKB
	// the highest during it: with RSSEndKB they tell whether memory stayed
	// flat (RSSTrace has every reading of the window).
	RSSMidKB int64      `json:"rss_mid_kb,omitempty"`
	RSSMaxKB int64      `json:"rss_max_kb,omitempty"`
	RSSTrace []RSSPoint `json:"rss_trace,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// RSSPoint is one reading of the server's resident memory during the
// window.
type RSSPoint struct {
	Sec float64 `json:"s"` // since the window opened
	KB  int64   `json:"kb"`
}

// JoinStats is the outcome of a join storm.
type JoinStats struct {
	Clients           int     `json:"clients"`
	FullClients       int64   `json:"full_clients"` // latest presence lists everyone
	Settled           bool    `json:"settled"`
	SettleMs          float64 `json:"settle_ms"`
	PresenceMessages  int64   `json:"presence_messages"`
	PresencePerClient float64 `json:"presence_per_client"`
	PresenceBytes     int64   `json:"presence_bytes"`
	QuadraticBound    int64   `json:"n2_over_4"` // PROTOCOL.md A.2.7: stay well under
}

func ms(us int64) float64 { return float64(us) / 1000 }

// latencyStats summarises h, or nil when it is empty.
func latencyStats(h *hdrhistogram.Histogram) *LatencyStats {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	return &LatencyStats{
		Count:  h.TotalCount(),
		P50Ms:  ms(h.ValueAtQuantile(50)),
		P90Ms:  ms(h.ValueAtQuantile(90)),
		P99Ms:  ms(h.ValueAtQuantile(99)),
		MaxMs:  ms(h.Max()),
		MeanMs: h.Mean() / 1000,
	}
}

// baseReport fills the fields known before the run.
func baseReport(s settled, target string) *Report {
	return &Report{
		Scenario:       s.Scenario,
		URL:            target,
		Target:         "server",
		Encoding:       s.enc.String(),
		Rooms:          s.Rooms,
		ClientsPerRoom: s.Clients,
		Connections:    s.totalConns,
		HzPerClient:    s.perClientHz,
		RateMax:        s.RateMax,
		WarmupSec:      s.Warmup.Seconds(),
		DurationSec:    s.Duration.Seconds(),
	}
}

// report summarises a finished run.
func (r *run) report() *Report {
	rep := baseReport(r.opt, r.target)
	if r.relay.Load() {
		rep.Target = "relay"
	}
	window := r.opt.Duration.Seconds()
	r.connMu.Lock()
	ch := r.connHist
	rep.Connect = ConnectStats{
		Attempted: r.attempted.Load(),
		Connected: r.connected.Load(),
		Failed:    r.failed.Load(),
		Seconds:   r.connectTime.Seconds(),
		P50Ms:     ms(ch.ValueAtQuantile(50)),
		P99Ms:     ms(ch.ValueAtQuantile(99)),
		MaxMs:     ms(ch.Max()),
	}
	r.connMu.Unlock()
	if rep.Connect.Seconds > 0 {
		rep.Connect.PerSec = float64(rep.Connect.Connected) / rep.Connect.Seconds
	}
	for _, c := range r.clients {
		rep.Sent += c.sent.Load()
		rep.Received += c.recv.Load()
	}
	rep.Expected = r.expected()
	rep.Delivered = r.delivered()
	if window > 0 {
		rep.SentPerSec = float64(rep.Sent) / window
		rep.DeliveredPerSec = float64(rep.Delivered) / window
	}
	if rep.Expected > 0 {
		rep.DeliveredPct = 100 * float64(rep.Delivered) / float64(rep.Expected)
	}
	rep.hist = r.lat.snapshot()
	rep.Latency = latencyStats(rep.hist)
	rep.Server = r.serverProcess(rep)
	if p := r.proc; p.selfOK && p.selfEnd > 0 && p.selfSpan > 0 {
		rep.BenchCPUPercent = 100 * (p.selfEnd - p.selfStart).Seconds() / p.selfSpan.Seconds()
		if p.psiOK {
			rep.HostCPUPressure = 100 * (p.psiEnd - p.psiStart).Seconds() / p.selfSpan.Seconds()
		}
	}
	if r.name == "joinstorm" {
		rep.Join = r.joinStats()
		rep.WarmupSec = 0
	}
	rep.Errors = r.errs.total.Load()
	rep.ErrorKinds = r.errs.list()
	return rep
}

func (r *run) serverProcess(rep *Report) *ServerProcess {
	if r.opt.ServerPID <= 0 {
		return nil
	}
	p := &ServerProcess{PID: r.opt.ServerPID}
	if r.proc.err != nil {
		p.Error = r.proc.err.Error()
	}
	b, s, e := r.proc.before, r.proc.start, r.proc.end
	if b != nil {
		p.RSSBeforeKB = b.rssKB
	}
	if s != nil {
		p.RSSStartKB = s.rssKB
	}
	if e != nil {
		p.RSSEndKB = e.rssKB
	}
	// Memory per connection: connected and warmed up against before.
	// A join storm has no window start; its end is the settled room.
	loaded := s
	if loaded == nil {
		loaded = e
	}
	if b != nil && loaded != nil && rep.Connect.Connected > 0 {
		p.RSSPerConnBytes = float64(loaded.rssKB-b.rssKB) * 1024 / float64(rep.Connect.Connected)
	}
	if tr := r.proc.trace; len(tr) > 0 {
		p.RSSTrace = tr
		mid := tr[len(tr)/2]
		p.RSSMidKB = mid.KB
		for _, pt := range tr {
			p.RSSMaxKB = max(p.RSSMaxKB, pt.KB)
		}
		if e != nil {
			p.RSSMaxKB = max(p.RSSMaxKB, e.rssKB)
		}
	}
	from := s
	if from == nil {
		from = b
	}
	if from != nil && e != nil {
		cpu := e.cpu - from.cpu
		p.CPUSeconds = cpu.Seconds()
		if span := r.procSpan(); span > 0 {
			p.CPUPercent = 100 * cpu.Seconds() / span.Seconds()
		}
		if rep.Delivered > 0 {
			p.CPUPerDeliveryUs = float64(cpu.Microseconds()) / float64(rep.Delivered)
		}
	}
	return p
}

// procSpan is the wall time between the CPU samples.
func (r *run) procSpan() time.Duration {
	if r.name == "joinstorm" {
		if r.js.settled {
			return r.js.settleTime
		}
		return r.opt.Duration
	}
	return r.opt.Duration
}

func (r *run) joinStats() *JoinStats {
	n := len(r.clients)
	j := &JoinStats{
		Clients:          n,
		FullClients:      r.js.finalFull,
		Settled:          r.js.settled,
		SettleMs:         float64(r.js.settleTime.Microseconds()) / 1000,
		PresenceMessages: r.js.presenceMsgs.Load(),
		PresenceBytes:    r.js.presenceBytes.Load(),
		QuadraticBound:   int64(n) * int64(n) / 4,
	}
	if n > 0 {
		j.PresencePerClient = float64(j.PresenceMessages) / float64(n)
	}
	return j
}

// writeJSON writes v, indented, to path.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// title is the one-line description printed above a report's table.
func (r *Report) title() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bench %s  %s", r.Scenario, r.URL)
	if r.Target == "relay" {
		b.WriteString(" (relay baseline)")
	}
	switch r.Scenario {
	case "joinstorm":
		fmt.Fprintf(&b, "  %d clients into one room", r.Connections)
	case "idle":
		fmt.Fprintf(&b, "  %d connections in rooms of %d", r.Connections, r.ClientsPerRoom)
	default:
		fmt.Fprintf(&b, "  %d room(s) × %d clients", r.Rooms, r.ClientsPerRoom)
	}
	switch {
	case r.RateMax:
		b.WriteString("  rate max")
	case r.HzPerClient > 0:
		fmt.Fprintf(&b, "  %s Hz/client", trimFloat(r.HzPerClient))
	}
	if r.Scenario != "yjs" {
		b.WriteString("  " + r.Encoding)
	}
	if r.Scenario != "joinstorm" {
		fmt.Fprintf(&b, "  warmup %ss  window %ss", trimFloat(r.WarmupSec), trimFloat(r.DurationSec))
	}
	if r.Runs > 1 {
		fmt.Fprintf(&b, "  (%d runs)", r.Runs)
	}
	return b.String()
}

// WriteTable prints the report as an aligned table, then the errors by kind.
func (r *Report) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintln(w, r.title()); err != nil {
		return err
	}
	if r.NotApplicable != "" {
		_, err := fmt.Fprintf(w, "n/a on relay: %s\n", r.NotApplicable)
		return err
	}
	rows := [][]string{{"metric", "value", ""}}
	for _, m := range r.metrics() {
		rows = append(rows, []string{m.label, m.format(), m.unit})
	}
	if err := writeAligned(w, rows, []bool{false, true, false}); err != nil {
		return err
	}
	if err := writeErrorKinds(w, "", r.ErrorKinds); err != nil {
		return err
	}
	return writePressureWarning(w, "", r.HostCPUPressure)
}

// pressureWarnPct is the host CPU pressure above which a run is flagged.
const pressureWarnPct = 50

func writePressureWarning(w io.Writer, prefix string, pct float64) error {
	if pct <= pressureWarnPct {
		return nil
	}
	_, err := fmt.Fprintf(w, "%swarning: host CPU pressure %.0f%%: runnable tasks waited for a CPU most of the window (other processes, or bench and server starving each other); latency includes that wait\n", prefix, pct)
	return err
}

func writeErrorKinds(w io.Writer, prefix string, kinds []ErrorCount) error {
	for _, k := range kinds {
		if _, err := fmt.Fprintf(w, "%serror: %s ×%d\n", prefix, k.Kind, k.Count); err != nil {
			return err
		}
	}
	return nil
}
