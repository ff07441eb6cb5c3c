package yjs

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// vectorContent reads the root types of the vector documents the way gen-vectors.mjs does.
func vectorContent(t testing.TB, doc *Doc) any {
	t.Helper()
	obj := Any{Kind: AnyObject,
		Keys: []string{"m", "a", "t", "rows", "table:posts"},
		Values: []Any{
			doc.Root("m", RootMap), doc.Root("a", RootArray), doc.Root("t", RootTextDelta),
			doc.Root("rows", RootMap), doc.Root("table:posts", RootArray),
		}}
	b, err := obj.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

func jsonValue(t testing.TB, raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDoc_Root_MatchesYjsContent compares the content read from a Doc with the converged content
// yjs recorded (finalJson) and with every replica's own content (perDoc json).
func TestDoc_Root_MatchesYjsContent(t *testing.T) {
	n := 0
	for name, v := range loadSeedVectors(t) {
		t.Run(name, func(t *testing.T) {
			ups := v.updatesV1(t)
			want := jsonValue(t, v.FinalJSON)
			rng := rand.New(rand.NewPCG(uint64(len(ups)), 9))
			for round := 0; round < 3; round++ {
				order := rng.Perm(len(ups))
				if round == 0 {
					for i := range order {
						order[i] = i
					}
				}
				doc := NewDoc()
				for _, i := range order {
					if err := doc.Apply(ups[i]); err != nil {
						t.Fatal(err)
					}
				}
				if got := vectorContent(t, doc); !reflect.DeepEqual(got, want) {
					g, _ := json.Marshal(got)
					t.Fatalf("order %v: content differs\ngot  %s\nwant %s", order[:5], g, v.FinalJSON)
				}
				n++
			}
			for i, p := range v.PerDoc {
				doc := NewDoc()
				if err := doc.Apply(unhex(t, p.State)); err != nil {
					t.Fatal(err)
				}
				if got := vectorContent(t, doc); !reflect.DeepEqual(got, jsonValue(t, p.JSON)) {
					g, _ := json.Marshal(got)
					t.Fatalf("replica %d: content differs\ngot  %s\nwant %s", i, g, p.JSON)
				}
				n++
			}
		})
	}
	t.Logf("%d documents read like yjs", n)
}
