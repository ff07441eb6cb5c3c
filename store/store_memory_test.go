package store

import (
	"testing"
	"time"
)

func openMemoryHarness(t *testing.T, now func() time.Time) *harness {
	if now == nil {
		now = time.Now
	}
	st := openMemory(now)
	t.Cleanup(func() { _ = st.Close() }) // idempotent; tests may close first
	return &harness{Store: st}
}

func TestMemory_Conformance(t *testing.T) {
	runConformance(t, openMemoryHarness)
}
