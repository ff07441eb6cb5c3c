package bench

import (
	"strconv"
	"testing"
)

func TestLatencyRecorder_BatchesAndMerges(t *testing.T) {
	rec := newLatencyRecorder(3)
	batches := []latencyBatch{{key: 0}, {key: 1}, {key: 5}}
	for i := range 1000 {
		batches[i%3].add(rec, int64(i+1))
	}
	for i := range batches {
		batches[i].flush(rec)
	}
	rec.record(2, []int64{0, -5, histMax * 2}) // clamped, not lost
	h := rec.snapshot()
	if h.TotalCount() != 1003 {
		t.Fatalf("count %d, want 1003", h.TotalCount())
	}
	if p50 := h.ValueAtQuantile(50); p50 < 495 || p50 > 505 {
		t.Errorf("p50 %d", p50)
	}
	if h.Max() < histMax {
		t.Errorf("max %d, want the clamped %d", h.Max(), int64(histMax))
	}
}

func TestErrorTally_BoundsKinds(t *testing.T) {
	var e errorTally
	for i := range errKindsCap + 10 {
		e.add("kind " + strconv.Itoa(i))
	}
	e.add("kind 0")
	list := e.list()
	if e.total.Load() != errKindsCap+11 || len(list) != errKindsCap+1 {
		t.Fatalf("total %d kinds %d", e.total.Load(), len(list))
	}
	if list[0].Kind != "other" || list[0].Count != 10 || list[1].Kind != "kind 0" || list[1].Count != 2 {
		t.Errorf("most frequent first: %v", list[:2])
	}
}
