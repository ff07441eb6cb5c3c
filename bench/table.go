package bench

import (
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// metric is one row of a report table. key is stable (compare matches rows
// by it); text, when set, is shown instead of the formatted value.
type metric struct {
	key      string
	label    string
	unit     string
	value    float64
	decimals int
	text     string
}

func (m metric) format() string {
	if m.text != "" {
		return m.text
	}
	return formatNumber(m.value, m.decimals)
}

// metrics lists the rows for r's scenario, in display order.
func (r *Report) metrics() []metric {
	c := r.Connect
	out := []metric{
		{key: "connected", label: "connected", value: float64(c.Connected),
			text: formatNumber(float64(c.Connected), 0) + " / " + formatNumber(float64(r.Connections), 0)},
		{key: "connect_failed", label: "connect failed", value: float64(c.Failed)},
		{key: "connect_s", label: "connect time", unit: "s", value: c.Seconds, decimals: 2},
		{key: "connect_rate", label: "connect rate", unit: "/s", value: c.PerSec},
		{key: "connect_p50", label: "connect p50", unit: "ms", value: c.P50Ms, decimals: 2},
		{key: "connect_p99", label: "connect p99", unit: "ms", value: c.P99Ms, decimals: 2},
	}
	switch r.Scenario {
	case "idle":
		out = append(out,
			metric{key: "sent", label: "heartbeats sent", value: float64(r.Sent)},
			metric{key: "received", label: "messages received", value: float64(r.Received)},
		)
	case "joinstorm":
		out = append(out, r.joinMetrics()...)
	default:
		out = append(out,
			metric{key: "sent", label: "sent", value: float64(r.Sent)},
			metric{key: "sent_rate", label: "sent rate", unit: "/s", value: r.SentPerSec},
		)
		if r.HzPerClient > 0 {
			out = append(out, metric{key: "target_rate", label: "target rate", unit: "/s", value: r.HzPerClient * float64(r.Connections)})
		}
		out = append(out,
			metric{key: "expected", label: "expected", value: float64(r.Expected)},
			metric{key: "delivered", label: "delivered", value: float64(r.Delivered)},
			metric{key: "delivered_pct", label: "delivered", unit: "%", value: r.DeliveredPct, decimals: 2},
			metric{key: "delivered_rate", label: "delivered rate", unit: "/s", value: r.DeliveredPerSec},
		)
		l := r.Latency
		if l == nil {
			l = &LatencyStats{}
		}
		out = append(out,
			metric{key: "p50", label: "latency p50", unit: "ms", value: l.P50Ms, decimals: 3},
			metric{key: "p90", label: "latency p90", unit: "ms", value: l.P90Ms, decimals: 3},
			metric{key: "p99", label: "latency p99", unit: "ms", value: l.P99Ms, decimals: 3},
			metric{key: "max", label: "latency max", unit: "ms", value: l.MaxMs, decimals: 3},
		)
	}
	if p := r.Server; p != nil {
		out = append(out, metric{key: "rss_before", label: "server rss before", unit: "MiB", value: float64(p.RSSBeforeKB) / 1024, decimals: 1})
		if p.RSSStartKB > 0 { // a join storm has no window start
			out = append(out, metric{key: "rss_start", label: "server rss loaded", unit: "MiB", value: float64(p.RSSStartKB) / 1024, decimals: 1})
		}
		if p.RSSMidKB > 0 {
			out = append(out,
				metric{key: "rss_mid", label: "server rss mid-window", unit: "MiB", value: float64(p.RSSMidKB) / 1024, decimals: 1},
				metric{key: "rss_max", label: "server rss max", unit: "MiB", value: float64(p.RSSMaxKB) / 1024, decimals: 1})
		}
		out = append(out,
			metric{key: "rss_end", label: "server rss end", unit: "MiB", value: float64(p.RSSEndKB) / 1024, decimals: 1},
			metric{key: "rss_per_conn", label: "server rss / conn", unit: "KiB", value: p.RSSPerConnBytes / 1024, decimals: 2},
			metric{key: "cpu_s", label: "server cpu", unit: "s", value: p.CPUSeconds, decimals: 2},
			metric{key: "cpu_pct", label: "server cpu", unit: "%", value: p.CPUPercent, decimals: 1},
		)
		if p.CPUPerDeliveryUs > 0 {
			out = append(out, metric{key: "cpu_per_delivery", label: "server cpu / delivery", unit: "µs", value: p.CPUPerDeliveryUs, decimals: 3})
		}
	}
	if r.BenchCPUPercent > 0 {
		out = append(out, metric{key: "bench_cpu_pct", label: "load generator cpu", unit: "%", value: r.BenchCPUPercent, decimals: 1})
	}
	if r.HostCPUPressure > 0 {
		out = append(out, metric{key: "host_cpu_pressure", label: "host cpu pressure", unit: "%", value: r.HostCPUPressure, decimals: 1})
	}
	return append(out, metric{key: "errors", label: "errors", value: float64(r.Errors)})
}

func (r *Report) joinMetrics() []metric {
	j := r.Join
	if j == nil {
		j = &JoinStats{}
	}
	settled := metric{key: "settled", label: "settled", text: "no", value: 0}
	if j.Settled {
		settled.text, settled.value = "yes", 1
	}
	return []metric{
		settled,
		{key: "settle_ms", label: "settle time", unit: "ms", value: j.SettleMs, decimals: 1},
		{key: "full_clients", label: "clients with full list", value: float64(j.FullClients),
			text: formatNumber(float64(j.FullClients), 0) + " / " + formatNumber(float64(j.Clients), 0)},
		{key: "presence_msgs", label: "presence messages", value: float64(j.PresenceMessages)},
		{key: "presence_per_client", label: "presence / client", value: j.PresencePerClient, decimals: 1},
		{key: "presence_bytes", label: "presence bytes", unit: "MiB", value: float64(j.PresenceBytes) / (1 << 20), decimals: 2},
		{key: "n2_over_4", label: "N²/4 bound", value: float64(j.QuadraticBound)},
	}
}

// formatNumber prints v with the given decimals and thousands separators.
func formatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// trimFloat prints v without trailing zeros.
func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// writeAligned prints rows as columns separated by two spaces; right[i]
// right-aligns column i. The first row is the header.
func writeAligned(w io.Writer, rows [][]string, right []bool) error {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		line := make([]string, len(row))
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i < len(right) && right[i] {
				line[i] = pad + cell
			} else {
				line[i] = cell + pad
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(line, "  "), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
