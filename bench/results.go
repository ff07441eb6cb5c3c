package bench

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// resultPair is one scenario measured against lively-actor ("server") and,
// when available, the relay baseline.
type resultPair struct {
	ours, relay *Report
}

// readResults reads the JSON reports written by --json: a single run (a
// Report) or a comparison (a CompareReport, whose sides are told apart by
// their Target). Single runs of the same scenario and shape against the two
// kinds of target are paired, in file order.
func readResults(files []string) ([]resultPair, error) {
	var pairs []resultPair
	open := map[string]int{} // shape → index in pairs still missing a side
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var probe struct {
			A *Report `json:"a"`
			B *Report `json:"b"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if probe.A != nil && probe.B != nil {
			p := resultPair{ours: probe.A, relay: probe.B}
			if probe.A.Target == "relay" {
				p.ours, p.relay = probe.B, probe.A
			}
			pairs = append(pairs, p)
			continue
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if r.Scenario == "" {
			return nil, fmt.Errorf("%s: not a bench report", name)
		}
		key := shapeKey(&r)
		if i, ok := open[key]; ok {
			if r.Target == "relay" && pairs[i].relay == nil {
				pairs[i].relay = &r
				delete(open, key)
				continue
			}
			if r.Target != "relay" && pairs[i].ours == nil {
				pairs[i].ours = &r
				delete(open, key)
				continue
			}
		}
		p := resultPair{ours: &r}
		if r.Target == "relay" {
			p = resultPair{relay: &r}
		}
		pairs = append(pairs, p)
		open[key] = len(pairs) - 1
	}
	return pairs, nil
}

func shapeKey(r *Report) string {
	return fmt.Sprintf("%s/%d/%d/%d/%g/%v/%s", r.Scenario, r.Rooms, r.ClientsPerRoom, r.Connections, r.HzPerClient, r.RateMax, r.Encoding)
}

// shape describes the scenario's load in words.
func (p resultPair) shape() string {
	r := p.ours
	if r == nil {
		r = p.relay
	}
	switch r.Scenario {
	case "idle":
		return fmt.Sprintf("idle: %s conns, rooms of %d", formatNumber(float64(r.Connections), 0), r.ClientsPerRoom)
	case "joinstorm":
		return fmt.Sprintf("joinstorm: %s clients, one room", formatNumber(float64(r.Connections), 0))
	}
	load := fmt.Sprintf("%g Hz", r.HzPerClient)
	if r.RateMax {
		load = "rate max"
	}
	return fmt.Sprintf("%s: %d room(s) × %d, %s", r.Scenario, r.Rooms, r.ClientsPerRoom, load)
}

// resultRow is one line of the results table.
type resultRow struct {
	metric      string
	ours, relay string
	ratio       string
	target      string
	verdict     string
}

// target is a performance target of ARCHITECTURE.md for one metric.
type target struct {
	text string
	met  func(r *Report) bool
}

// targetFor returns the target the architecture sets for metric key in the
// scenario of r (ok false: none).
func targetFor(r *Report, key string) (target, bool) {
	allDelivered := func(r *Report) bool { return r.Expected > 0 && r.Delivered == r.Expected && r.Errors == 0 }
	p99 := func(limit float64) func(*Report) bool {
		return func(r *Report) bool { return r.Latency != nil && r.Latency.P99Ms <= limit }
	}
	switch {
	case r.Scenario == "idle" && r.Connections >= 19000 && r.DurationSec >= 600 && key == "errors":
		return target{"none, 10 min", func(r *Report) bool { return r.Errors == 0 && r.Connect.Connected == int64(r.Connections) }}, true
	case r.Scenario == "idle" && r.Connections >= 19000 && r.DurationSec >= 600 && key == "rss_growth":
		return target{"flat (< 5%)", func(r *Report) bool {
			g, ok := rssGrowth(r)
			return ok && g < 5
		}}, true
	case r.Scenario == "idle" && r.Connections >= 10000 && key == "rss_per_conn":
		return target{"≤ 3 KB", func(r *Report) bool { return r.Server != nil && r.Server.RSSPerConnBytes <= 3000 }}, true
	case r.Scenario == "fanout" && r.Rooms == 1 && r.ClientsPerRoom == 200 && r.HzPerClient == 20 && !r.RateMax:
		switch key {
		case "delivered_pct":
			return target{"all", allDelivered}, true
		case "p99":
			return target{"≤ 50 ms", p99(50)}, true
		}
	case r.Scenario == "fanout" && r.Rooms == 1000 && r.ClientsPerRoom == 5 && r.HzPerClient == 5 && !r.RateMax:
		switch key {
		case "delivered_pct":
			return target{"all", allDelivered}, true
		case "p99":
			return target{"≤ 10 ms", p99(10)}, true
		}
	case r.Scenario == "fanout" && r.RateMax && key == "cpu_per_delivery":
		return target{"≤ 0.7 µs", func(r *Report) bool {
			return r.Server != nil && r.Server.CPUPerDeliveryUs > 0 && r.Server.CPUPerDeliveryUs <= 0.7
		}}, true
	case r.Scenario == "joinstorm" && r.Connections >= 2000 && key == "settle":
		return target{"≤ 5 s, all", func(r *Report) bool {
			return r.Join != nil && r.Join.Settled && r.Join.SettleMs <= 5000 && r.Join.FullClients == int64(r.Join.Clients)
		}}, true
	}
	return target{}, false
}

// resultKeys are the metrics the results table shows, per scenario.
func resultKeys(scenario string) []string {
	switch scenario {
	case "idle":
		return []string{"rss_per_conn", "rss_start", "rss_mid", "rss_end", "rss_growth", "connect_rate", "cpu_pct", "errors"}
	case "joinstorm":
		return []string{"settle", "full", "presence_per_client", "cpu_s"}
	}
	return []string{"delivered_pct", "delivered_rate", "p50", "p99", "cpu_per_delivery", "cpu_pct", "bench_cpu_pct", "host_cpu_pressure"}
}

// resultValue is metric key of r: its label, value and unit.
func resultValue(r *Report, key string) (label string, v float64, unit string, ok bool) {
	switch key {
	case "rss_growth":
		g, ok := rssGrowth(r)
		return "server rss growth, 2nd half of the window", g, "%", ok
	case "settle":
		if r.Join == nil || !r.Join.Settled {
			return "settle time", 0, "", false
		}
		return "settle time", r.Join.SettleMs / 1000, "s", true
	case "full":
		if r.Join == nil {
			return "clients with full list", 0, "", false
		}
		return "clients with full list", float64(r.Join.FullClients), "", true
	case "presence_per_client":
		if r.Join == nil {
			return "presence messages / client", 0, "", false
		}
		return "presence messages / client", r.Join.PresencePerClient, "", true
	}
	for _, m := range r.metrics() {
		if m.key == key {
			label := m.label
			if key == "cpu_pct" || key == "cpu_s" {
				label = "server " + strings.TrimPrefix(label, "server ") + " (" + m.unit + ")"
			}
			return label, m.value, m.unit, true
		}
	}
	return "", 0, "", false
}

// rssGrowth is how much the server's RSS grew over the second half of the
// window, in % of its mid-window reading.
func rssGrowth(r *Report) (float64, bool) {
	p := r.Server
	if p == nil || p.RSSMidKB <= 0 || p.RSSEndKB <= 0 {
		return 0, false
	}
	return 100 * float64(p.RSSEndKB-p.RSSMidKB) / float64(p.RSSMidKB), true
}

func formatValue(v float64, unit string) string {
	var s string
	switch {
	case unit == "KiB" || unit == "%":
		s = strconv.FormatFloat(v, 'f', 1, 64)
	case unit == "s":
		s = strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "ms" || unit == "µs":
		if v >= 100 {
			s = strconv.FormatFloat(v, 'f', 0, 64)
		} else {
			s = strconv.FormatFloat(v, 'f', 3, 64)
		}
	case v == float64(int64(v)) || v >= 1000:
		s = formatNumber(v, 0)
	default:
		s = formatNumber(v, 1)
	}
	if unit != "" && unit != "%" {
		return s + " " + unit
	}
	return s + unit
}

func (p resultPair) rows() []resultRow {
	base := p.ours
	if base == nil {
		base = p.relay
	}
	var rows []resultRow
	for _, key := range resultKeys(base.Scenario) {
		row := resultRow{ours: "—", relay: "—", ratio: "—"}
		var ov, rv float64
		var have int
		for i, r := range []*Report{p.ours, p.relay} {
			if r == nil {
				continue
			}
			if r.NotApplicable != "" {
				if i == 1 {
					row.relay = "n/a"
				}
				continue
			}
			label, v, unit, ok := resultValue(r, key)
			row.metric = label
			if !ok {
				continue
			}
			if i == 0 {
				row.ours, ov = formatValue(v, unit), v
			} else {
				row.relay, rv = formatValue(v, unit), v
			}
			have++
		}
		if row.metric == "" {
			continue
		}
		if have == 2 && rv != 0 {
			row.ratio = strconv.FormatFloat(ov/rv, 'f', 2, 64)
		}
		if p.ours != nil {
			if t, ok := targetFor(p.ours, key); ok {
				row.target, row.verdict = t.text, "not met"
				if t.met(p.ours) {
					row.verdict = "met"
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteResults writes the reports in files as one Markdown table:
// lively-actor against the relay baseline with the ratio, and the target
// of ARCHITECTURE.md with whether it was met.
func WriteResults(w io.Writer, files []string) error {
	pairs, err := readResults(files)
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		return errors.New("bench results: no reports")
	}
	var b strings.Builder
	b.WriteString("| scenario | metric | lively-actor | relay baseline | ours ÷ relay | target | |\n")
	b.WriteString("|---|---|---:|---:|---:|---|---|\n")
	for _, p := range pairs {
		for i, row := range p.rows() {
			name := ""
			if i == 0 {
				name = p.shape()
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", name, row.metric, row.ours, row.relay, row.ratio, row.target, row.verdict)
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// mainResults is `lively-actor bench results report.json...`.
func mainResults(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench results", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lively-actor bench results report.json...\n\nPrints the JSON reports written with --json (single runs or --compare) as a\nMarkdown table: lively-actor, the relay baseline, their ratio and the target.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if err := WriteResults(stdout, fs.Args()); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
