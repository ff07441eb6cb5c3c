package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
)

// CompareReport is one scenario run against two servers in turn, in the
// order A B A B, with a summary per server and the ratios B/A.
type CompareReport struct {
	Scenario string             `json:"scenario"`
	Order    []string           `json:"order"`
	A        *Report            `json:"a"`
	B        *Report            `json:"b"`
	Ratios   map[string]float64 `json:"ratios_b_over_a"`
	RunsA    []*Report          `json:"runs_a"`
	RunsB    []*Report          `json:"runs_b"`
}

// newCompareReport summarises the runs of each side and computes the ratios.
func newCompareReport(runsA, runsB []*Report, order []string) *CompareReport {
	cr := &CompareReport{
		Order:  order,
		A:      summarize(runsA),
		B:      summarize(runsB),
		Ratios: map[string]float64{},
		RunsA:  runsA,
		RunsB:  runsB,
	}
	cr.Scenario = cr.A.Scenario
	if cr.A.NotApplicable != "" || cr.B.NotApplicable != "" {
		return cr
	}
	bm := metricsByKey(cr.B.metrics())
	for _, m := range cr.A.metrics() {
		if b, ok := bm[m.key]; ok && m.value != 0 {
			cr.Ratios[m.key] = b.value / m.value
		}
	}
	return cr
}

func metricsByKey(ms []metric) map[string]metric {
	out := make(map[string]metric, len(ms))
	for _, m := range ms {
		out[m.key] = m
	}
	return out
}

// summarize merges several runs of one scenario against one server: counts,
// rates and server readings are means, latency comes from the merged
// histograms, errors are summed.
func summarize(runs []*Report) *Report {
	if len(runs) == 0 {
		return &Report{}
	}
	s := *runs[0]
	s.Runs = len(runs)
	s.ErrorKinds = nil
	n := float64(len(runs))
	meanI := func(f func(*Report) int64) int64 {
		var t float64
		for _, r := range runs {
			t += float64(f(r))
		}
		return int64(math.Round(t / n))
	}
	meanF := func(f func(*Report) float64) float64 {
		var t float64
		for _, r := range runs {
			t += f(r)
		}
		return t / n
	}
	s.Connect = ConnectStats{
		Attempted: meanI(func(r *Report) int64 { return r.Connect.Attempted }),
		Connected: meanI(func(r *Report) int64 { return r.Connect.Connected }),
		Failed:    meanI(func(r *Report) int64 { return r.Connect.Failed }),
		Seconds:   meanF(func(r *Report) float64 { return r.Connect.Seconds }),
		PerSec:    meanF(func(r *Report) float64 { return r.Connect.PerSec }),
		P50Ms:     meanF(func(r *Report) float64 { return r.Connect.P50Ms }),
		P99Ms:     meanF(func(r *Report) float64 { return r.Connect.P99Ms }),
		MaxMs:     meanF(func(r *Report) float64 { return r.Connect.MaxMs }),
	}
	s.Sent = meanI(func(r *Report) int64 { return r.Sent })
	s.SentPerSec = meanF(func(r *Report) float64 { return r.SentPerSec })
	s.Expected = meanI(func(r *Report) int64 { return r.Expected })
	s.Delivered = meanI(func(r *Report) int64 { return r.Delivered })
	s.DeliveredPerSec = meanF(func(r *Report) float64 { return r.DeliveredPerSec })
	s.Received = meanI(func(r *Report) int64 { return r.Received })
	s.BenchCPUPercent = meanF(func(r *Report) float64 { return r.BenchCPUPercent })
	s.HostCPUPressure = meanF(func(r *Report) float64 { return r.HostCPUPressure })
	s.DeliveredPct = 0
	if s.Expected > 0 {
		s.DeliveredPct = 100 * float64(s.Delivered) / float64(s.Expected)
	}
	s.hist = newHistogram()
	for _, r := range runs {
		if r.hist != nil {
			s.hist.Merge(r.hist)
		}
		if r.NotApplicable != "" {
			s.NotApplicable = r.NotApplicable
		}
	}
	s.Latency = latencyStats(s.hist)
	s.Server = summarizeServer(runs)
	s.Join = summarizeJoin(runs)
	kinds := map[string]int64{}
	s.Errors = 0
	for _, r := range runs {
		s.Errors += r.Errors
		for _, k := range r.ErrorKinds {
			kinds[k.Kind] += k.Count
		}
	}
	for k, c := range kinds {
		s.ErrorKinds = append(s.ErrorKinds, ErrorCount{Kind: k, Count: c})
	}
	sort.Slice(s.ErrorKinds, func(i, j int) bool { return s.ErrorKinds[i].Count > s.ErrorKinds[j].Count })
	return &s
}

func summarizeServer(runs []*Report) *ServerProcess {
	var ps []*ServerProcess
	for _, r := range runs {
		if r.Server != nil {
			ps = append(ps, r.Server)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	n := float64(len(ps))
	out := &ServerProcess{PID: ps[0].PID}
	for _, p := range ps {
		out.RSSBeforeKB += p.RSSBeforeKB
		out.RSSStartKB += p.RSSStartKB
		out.RSSEndKB += p.RSSEndKB
		out.RSSMidKB += p.RSSMidKB
		out.RSSMaxKB = max(out.RSSMaxKB, p.RSSMaxKB)
		out.RSSPerConnBytes += p.RSSPerConnBytes / n
		out.CPUSeconds += p.CPUSeconds / n
		out.CPUPercent += p.CPUPercent / n
		out.CPUPerDeliveryUs += p.CPUPerDeliveryUs / n
		if p.Error != "" {
			out.Error = p.Error
		}
	}
	out.RSSBeforeKB /= int64(len(ps))
	out.RSSStartKB /= int64(len(ps))
	out.RSSEndKB /= int64(len(ps))
	out.RSSMidKB /= int64(len(ps))
	return out
}

func summarizeJoin(runs []*Report) *JoinStats {
	var js []*JoinStats
	for _, r := range runs {
		if r.Join != nil {
			js = append(js, r.Join)
		}
	}
	if len(js) == 0 {
		return nil
	}
	n := float64(len(js))
	out := &JoinStats{Clients: js[0].Clients, Settled: true, FullClients: js[0].FullClients, QuadraticBound: js[0].QuadraticBound}
	for _, j := range js {
		out.Settled = out.Settled && j.Settled
		out.FullClients = min(out.FullClients, j.FullClients)
		out.SettleMs += j.SettleMs / n
		out.PresencePerClient += j.PresencePerClient / n
		out.PresenceMessages += int64(math.Round(float64(j.PresenceMessages) / n))
		out.PresenceBytes += int64(math.Round(float64(j.PresenceBytes) / n))
	}
	return out
}

// WriteTable prints both summaries side by side with the ratio B/A.
func (cr *CompareReport) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "A: %s\nB: %s\norder %v; values are means over each side's runs, latency from the merged histograms\n",
		cr.A.title(), cr.B.title(), cr.Order); err != nil {
		return err
	}
	for _, side := range []*Report{cr.A, cr.B} {
		if side.NotApplicable != "" {
			_, err := fmt.Fprintf(w, "n/a on relay (%s): %s\n", side.URL, side.NotApplicable)
			return err
		}
	}
	rows := [][]string{{"metric", "A", "", "B", "", "B/A"}}
	bm := metricsByKey(cr.B.metrics())
	for _, m := range cr.A.metrics() {
		b, ok := bm[m.key]
		bv := "-"
		if ok {
			bv = b.format()
		}
		ratio := "-"
		if r, ok := cr.Ratios[m.key]; ok {
			ratio = formatNumber(r, 2)
		}
		rows = append(rows, []string{m.label, m.format(), m.unit, bv, m.unit, ratio})
	}
	if err := writeAligned(w, rows, []bool{false, true, false, true, false, true}); err != nil {
		return err
	}
	if err := writeErrorKinds(w, "A ", cr.A.ErrorKinds); err != nil {
		return err
	}
	if err := writeErrorKinds(w, "B ", cr.B.ErrorKinds); err != nil {
		return err
	}
	if err := writePressureWarning(w, "A ", cr.A.HostCPUPressure); err != nil {
		return err
	}
	return writePressureWarning(w, "B ", cr.B.HostCPUPressure)
}
