package yjs

import (
	"testing"
	"time"
)

// The benchmarks use genEdits: one-edit updates (typing, deleting, table rows, map writes) from
// four clients. A 10k-edit document holds about 10k items before merging.

func reportRate(b *testing.B, start time.Time, n int, unit string) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), unit)
}

// BenchmarkDoc_Apply10kEdits integrates 10k single-edit updates into a fresh Doc per iteration.
func BenchmarkDoc_Apply10kEdits(b *testing.B) {
	ups := genEdits(42, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		doc := NewDoc()
		for _, u := range ups {
			if err := doc.Apply(u); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportRate(b, start, b.N*len(ups), "updates/s")
}

// BenchmarkDoc_ApplyToLargeDoc applies one more edit to a document that already holds 10k edits.
func BenchmarkDoc_ApplyToLargeDoc(b *testing.B) {
	const base, extra = 10000, 20000
	ups := genEdits(43, base+extra)
	fresh := func() *Doc {
		doc := NewDoc()
		for _, u := range ups[:base] {
			if err := doc.Apply(u); err != nil {
				b.Fatal(err)
			}
		}
		return doc
	}
	doc := fresh()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i, k := 0, base; i < b.N; i, k = i+1, k+1 {
		if k == len(ups) {
			b.StopTimer()
			doc, k = fresh(), base
			b.StartTimer()
		}
		if err := doc.Apply(ups[k]); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, b.N, "updates/s")
}

// BenchmarkMergeUpdates_StatePlusUpdate is the update-level alternative to
// BenchmarkDoc_ApplyToLargeDoc: merge a 10k-edit state with one more edit.
func BenchmarkMergeUpdates_StatePlusUpdate(b *testing.B) {
	ups := genEdits(43, 10001)
	state, err := MergeUpdates(ups[:10000])
	if err != nil {
		b.Fatal(err)
	}
	in := [][]byte{state, ups[10000]}
	b.SetBytes(int64(len(state)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := MergeUpdates(in); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, b.N, "updates/s")
}

// BenchmarkMergeUpdates_10kEdits merges 10k single-edit updates at once.
func BenchmarkMergeUpdates_10kEdits(b *testing.B) {
	ups := genEdits(44, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := MergeUpdates(ups); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, b.N*len(ups), "updates/s")
}

func largeState(b *testing.B) (state, halfSV []byte) {
	ups := genEdits(45, 10000)
	doc := NewDoc()
	for i, u := range ups {
		if err := doc.Apply(u); err != nil {
			b.Fatal(err)
		}
		if i == len(ups)/2 {
			halfSV = doc.StateVector()
		}
	}
	state, err := doc.EncodeStateAsUpdate(nil)
	if err != nil {
		b.Fatal(err)
	}
	return state, halfSV
}

// BenchmarkDiffUpdate_10kState diffs a 10k-edit state against the state vector of a peer that
// has half of the edits.
func BenchmarkDiffUpdate_10kState(b *testing.B) {
	state, sv := largeState(b)
	b.SetBytes(int64(len(state)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DiffUpdate(state, sv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoc_EncodeStateAsUpdate_10k is the Doc-level counterpart of BenchmarkDiffUpdate_10kState.
func BenchmarkDoc_EncodeStateAsUpdate_10k(b *testing.B) {
	state, sv := largeState(b)
	doc := NewDoc()
	if err := doc.Apply(state); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(state)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := doc.EncodeStateAsUpdate(sv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeStateVectorFromUpdate_10kState(b *testing.B) {
	state, _ := largeState(b)
	b.SetBytes(int64(len(state)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := EncodeStateVectorFromUpdate(state); err != nil {
			b.Fatal(err)
		}
	}
}
