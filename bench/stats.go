package bench

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, from 1 µs to one hour, with three
// significant digits. A histogram of that range is ~190 KB, so receivers do
// not own one each: they batch samples locally and flush them into one of a
// few shards.
const (
	histMin     = 1
	histMax     = 3_600_000_000
	histDigits  = 3
	latBatch    = 256
	errKindsCap = 32
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histDigits)
}

// latencyRecorder is a sharded, mutex-guarded set of HDR histograms.
type latencyRecorder struct {
	shards []latencyShard
}

type latencyShard struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
	_  [48]byte // keep shard locks on separate cache lines
}

func newLatencyRecorder(shards int) *latencyRecorder {
	r := &latencyRecorder{shards: make([]latencyShard, max(shards, 1))}
	for i := range r.shards {
		r.shards[i].h = newHistogram()
	}
	return r
}

// record adds samples (µs) to the shard chosen by key. Values outside the
// trackable range are clamped so that nothing is silently lost.
func (r *latencyRecorder) record(key int, samples []int64) {
	if len(samples) == 0 {
		return
	}
	s := &r.shards[key%len(r.shards)]
	s.mu.Lock()
	for _, v := range samples {
		_ = s.h.RecordValue(min(max(v, histMin), histMax)) // clamped: cannot fail
	}
	s.mu.Unlock()
}

// snapshot merges all shards into a new histogram.
func (r *latencyRecorder) snapshot() *hdrhistogram.Histogram {
	out := newHistogram()
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		out.Merge(s.h)
		s.mu.Unlock()
	}
	return out
}

// latencyBatch is a receiver's local buffer of samples; owned by one goroutine.
type latencyBatch struct {
	key     int
	samples []int64
}

func (b *latencyBatch) add(rec *latencyRecorder, v int64) {
	if b.samples == nil {
		b.samples = make([]int64, 0, latBatch)
	}
	b.samples = append(b.samples, v)
	if len(b.samples) == cap(b.samples) {
		b.flush(rec)
	}
}

func (b *latencyBatch) flush(rec *latencyRecorder) {
	rec.record(b.key, b.samples)
	b.samples = b.samples[:0]
}

// errorTally counts errors by a bounded set of kinds (see errorKind).
type errorTally struct {
	total atomic.Int64
	mu    sync.Mutex
	kinds map[string]int64
}

func (t *errorTally) add(kind string) {
	t.total.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds == nil {
		t.kinds = make(map[string]int64)
	}
	if _, ok := t.kinds[kind]; !ok && len(t.kinds) >= errKindsCap {
		kind = "other"
	}
	t.kinds[kind]++
}

// ErrorCount is one kind of error and how often it happened.
type ErrorCount struct {
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
}

// list returns the kinds, most frequent first.
func (t *errorTally) list() []ErrorCount {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ErrorCount, 0, len(t.kinds))
	for k, n := range t.kinds {
		out = append(out, ErrorCount{Kind: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}
