package yjs

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// edgeVectors is testdata/vectors/edge.json (testdata/node/gen-edge-vectors.mjs): hand-made
// updates for the corners of the format with what yjs returns for them ("error: ..." when yjs
// throws).
type edgeVectors struct {
	Cases []struct {
		Name     string   `json:"name"`
		Updates  []string `json:"updates"`
		Merge    string   `json:"merge"`
		MergeRev string   `json:"mergeRev"`
		Diffs    []struct {
			SV   string `json:"sv"`
			Diff string `json:"diff"`
		} `json:"diffs"`
		StateVector string `json:"stateVector"`
		DocState    string `json:"docState"`
		DocSV       string `json:"docSV"`
		DocPending  bool   `json:"docPending"`
	} `json:"cases"`
}

func loadEdgeVectors(t testing.TB) edgeVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors/edge.json")
	if err != nil {
		t.Fatal(err)
	}
	var v edgeVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 30 {
		t.Fatalf("only %d edge cases", len(v.Cases))
	}
	return v
}

func expectResult(t *testing.T, what string, got []byte, err error, want string) bool {
	t.Helper()
	if strings.HasPrefix(want, "error") {
		if err == nil {
			t.Errorf("%s: yjs fails (%s), we returned %x", what, want, got)
			return false
		}
		return true
	}
	return checkHex(t, what, got, err, want)
}

func TestUpdates_MatchYjsEdgeCases(t *testing.T) {
	empty := []byte{0, 0}
	checked := 0
	for _, c := range loadEdgeVectors(t).Cases {
		t.Run(c.Name, func(t *testing.T) {
			ups := make([][]byte, len(c.Updates))
			for i, u := range c.Updates {
				ups[i] = unhex(t, u)
			}
			if len(ups) == 1 {
				m, err := MergeUpdates([][]byte{ups[0], empty})
				if expectResult(t, "merge with empty", m, err, c.Merge) {
					checked++
				}
				m, err = MergeUpdates([][]byte{empty, ups[0]})
				if expectResult(t, "merge after empty", m, err, c.MergeRev) {
					checked++
				}
				sv, err := EncodeStateVectorFromUpdate(ups[0])
				if expectResult(t, "state vector", sv, err, c.StateVector) {
					checked++
				}
				for _, d := range c.Diffs {
					got, err := DiffUpdate(ups[0], unhex(t, d.SV))
					if expectResult(t, "diff against "+d.SV, got, err, d.Diff) {
						checked++
					}
				}
				return
			}
			m, err := MergeUpdates(ups)
			if expectResult(t, "merge", m, err, c.Merge) {
				checked++
			}
		})
	}
	t.Logf("%d edge-case results match yjs", checked)
}

// TestDoc_MatchesYjsEdgeCases applies the hand-made updates in order to a fresh Doc and compares
// the re-encoded state with a fresh yjs Y.Doc. Where yjs throws, the Doc only has to stay usable.
func TestDoc_MatchesYjsEdgeCases(t *testing.T) {
	checked := 0
	for _, c := range loadEdgeVectors(t).Cases {
		t.Run(c.Name, func(t *testing.T) {
			doc := NewDoc()
			var applyErr error
			for _, u := range c.Updates {
				if err := doc.Apply(unhex(t, u)); err != nil {
					applyErr = err
				}
			}
			state, err := doc.EncodeStateAsUpdate(nil)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if err := ValidateUpdate(state); err != nil {
				t.Fatalf("own state does not decode: %v", err)
			}
			if strings.HasPrefix(c.DocState, "error") {
				return
			}
			if applyErr != nil {
				t.Fatalf("yjs applies the updates, we fail: %v", applyErr)
			}
			if checkHex(t, "doc state", state, nil, c.DocState) &&
				checkHex(t, "doc state vector", doc.StateVector(), nil, c.DocSV) {
				checked++
			}
			if doc.HasPending() != c.DocPending {
				t.Errorf("pending = %v, yjs %v", doc.HasPending(), c.DocPending)
			}
		})
	}
	t.Logf("%d edge-case documents match yjs", checked)
}
