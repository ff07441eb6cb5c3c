//go:build unix

package bench

import "testing"

func TestRaiseNoFileLimit(t *testing.T) {
	lim, err := raiseNoFileLimit()
	if err != nil || lim == 0 {
		t.Fatalf("limit %d, %v", lim, err)
	}
}
