package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCompare_SummaryAndRatios(t *testing.T) {
	a1, a2, b1, b2 := sampleReport(), sampleReport(), sampleReport(), sampleReport()
	a1.hist, a2.hist, b1.hist, b2.hist = newHistogram(), newHistogram(), newHistogram(), newHistogram()
	for v := int64(1); v <= 100; v++ {
		_ = a1.hist.RecordValue(v * 1000) // 1..100 ms
		_ = a2.hist.RecordValue(v * 1000)
		_ = b1.hist.RecordValue(v * 500) // half the latency
		_ = b2.hist.RecordValue(v * 500)
	}
	a2.DeliveredPerSec = 600000 // mean of A: 698,000
	b1.DeliveredPerSec, b2.DeliveredPerSec = 1396000, 1396000
	b1.URL, b2.URL = "ws://127.0.0.1:2000", "ws://127.0.0.1:2000"
	a1.Errors, a2.Errors, b1.Errors, b2.Errors = 1, 2, 0, 0
	a1.ErrorKinds = []ErrorCount{{Kind: "closed by server: code 1008 slow consumer", Count: 1}}
	a2.ErrorKinds = []ErrorCount{{Kind: "closed by server: code 1008 slow consumer", Count: 2}}
	b1.ErrorKinds, b2.ErrorKinds = nil, nil

	cr := newCompareReport([]*Report{a1, a2}, []*Report{b1, b2}, []string{"A", "B", "A", "B"})
	if cr.A.Runs != 2 || cr.A.DeliveredPerSec != 698000 || cr.A.Errors != 3 || cr.B.Errors != 0 {
		t.Errorf("A summary runs %d rate %v errors %d", cr.A.Runs, cr.A.DeliveredPerSec, cr.A.Errors)
	}
	if cr.A.Latency.Count != 200 || cr.B.Latency.Count != 200 {
		t.Errorf("merged counts %d %d", cr.A.Latency.Count, cr.B.Latency.Count)
	}
	if r := cr.Ratios["delivered_rate"]; r != 2 {
		t.Errorf("delivered rate ratio %v, want 2", r)
	}
	if r := cr.Ratios["p50"]; r < 0.49 || r > 0.51 {
		t.Errorf("p50 ratio %v, want 0.5", r)
	}
	var b bytes.Buffer
	if err := cr.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{"A: bench fanout  ws://127.0.0.1:1999", "B: bench fanout  ws://127.0.0.1:2000", "(2 runs)",
		"order [A B A B]", "A error: closed by server: code 1008 slow consumer ×3"} {
		if !strings.Contains(out, w) {
			t.Errorf("compare table lacks %q:\n%s", w, out)
		}
	}
	if !containsFields(out, "delivered rate 698,000 /s 1,396,000 /s 2.00") {
		t.Errorf("compare table lacks the delivered rate row:\n%s", out)
	}
	js, err := json.Marshal(cr)
	if err != nil || !strings.Contains(string(js), `"ratios_b_over_a"`) || !strings.Contains(string(js), `"runs_a"`) {
		t.Errorf("json %s %v", js, err)
	}
}

func TestCompare_NotApplicable(t *testing.T) {
	a := &Report{Scenario: "storage", URL: "ws://127.0.0.1:1", Target: "relay", NotApplicable: "needs a server"}
	b := sampleReport()
	b.Scenario = "storage"
	cr := newCompareReport([]*Report{a, a}, []*Report{b, b}, []string{"A", "B", "A", "B"})
	var out bytes.Buffer
	if err := cr.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "n/a on relay (ws://127.0.0.1:1): needs a server") || len(cr.Ratios) != 0 {
		t.Errorf("table %q ratios %v", out.String(), cr.Ratios)
	}
}

// containsFields reports whether some line of s has the same
// whitespace-separated fields as want.
func containsFields(s, want string) bool {
	w := strings.Join(strings.Fields(want), " ")
	for _, line := range strings.Split(s, "\n") {
		if strings.Join(strings.Fields(line), " ") == w {
			return true
		}
	}
	return false
}
