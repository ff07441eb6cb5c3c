package yjs

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// TestDoc_ReencodeMatchesYjs applies the merged update of each vector file to a fresh Doc and
// compares the re-encoded state with what a fresh yjs Y.Doc produced for the same input.
func TestDoc_ReencodeMatchesYjs(t *testing.T) {
	n := 0
	for name, v := range loadSeedVectors(t) {
		t.Run(name, func(t *testing.T) {
			doc := NewDoc()
			if err := doc.Apply(unhex(t, v.MergedAll)); err != nil {
				t.Fatal(err)
			}
			if doc.HasPending() {
				t.Fatal("pending after applying the merged update")
			}
			got, err := doc.EncodeStateAsUpdate(nil)
			if checkHex(t, "reencoded", got, err, v.Reencoded) {
				n++
			}
			sv, err := EncodeStateVectorFromUpdate(got)
			checkHex(t, "state vector", doc.StateVector(), err, hexOf(sv))
		})
	}
	t.Logf("%d re-encodings match yjs", n)
}

// docVectors is testdata/vectors/doc.json (testdata/node/gen-doc-vectors.mjs).
type docVectors struct {
	Files []struct {
		File   string `json:"file"`
		Orders []struct {
			Order []int `json:"order"`
			Steps []struct {
				After   int    `json:"after"`
				State   string `json:"state"`
				SV      string `json:"sv"`
				Pending bool   `json:"pending"`
			} `json:"steps"`
			State string `json:"state"`
			SV    string `json:"sv"`
			Diffs []struct {
				SV   string `json:"sv"`
				Diff string `json:"diff"`
			} `json:"diffs"`
		} `json:"orders"`
	} `json:"files"`
}

// TestDoc_ApplyInAnyOrderMatchesYjs applies the vector updates one by one in several orders
// (out-of-order updates stay pending) and compares state, state vector and diffs with yjs at
// checkpoints and at the end.
func TestDoc_ApplyInAnyOrderMatchesYjs(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors/doc.json")
	if err != nil {
		t.Fatal(err)
	}
	var dv docVectors
	if err := json.Unmarshal(raw, &dv); err != nil {
		t.Fatal(err)
	}
	seeds := loadSeedVectors(t)
	counts := map[string]int{}
	for _, f := range dv.Files {
		v := seeds[f.File]
		if v == nil {
			t.Fatalf("no vectors for %s", f.File)
		}
		ups := v.updatesV1(t)
		for oi, o := range f.Orders {
			t.Run(fmt.Sprintf("%s/order%d", f.File, oi), func(t *testing.T) {
				doc := NewDoc()
				step := 0
				for k, idx := range o.Order {
					if err := doc.Apply(ups[idx]); err != nil {
						t.Fatalf("apply %d: %v", idx, err)
					}
					if step < len(o.Steps) && o.Steps[step].After == k+1 {
						s := o.Steps[step]
						step++
						got, err := doc.EncodeStateAsUpdate(nil)
						if checkHex(t, fmt.Sprintf("state after %d", k+1), got, err, s.State) {
							counts["state"]++
						}
						if checkHex(t, "state vector", doc.StateVector(), nil, s.SV) {
							counts["sv"]++
						}
						if doc.HasPending() != s.Pending {
							t.Errorf("after %d: pending = %v, yjs %v", k+1, doc.HasPending(), s.Pending)
						}
						if s.Pending {
							counts["pending"]++
						}
					}
				}
				got, err := doc.EncodeStateAsUpdate(nil)
				if checkHex(t, "final state", got, err, o.State) {
					counts["state"]++
				}
				if checkHex(t, "final state vector", doc.StateVector(), nil, o.SV) {
					counts["sv"]++
				}
				for _, d := range o.Diffs {
					got, err := doc.EncodeStateAsUpdate(unhex(t, d.SV))
					if checkHex(t, "diff", got, err, d.Diff) {
						counts["diff"]++
					}
				}
			})
		}
	}
	t.Logf("match yjs: %d states (%d with pending structs/deletes), %d state vectors, %d diffs",
		counts["state"], counts["pending"], counts["sv"], counts["diff"])
}
