package crdt

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestSequence_Stamps(t *testing.T) {
	d := NewDoc()
	steps := []struct {
		in, stamp int64
	}{{0, 1}, {1, 2}, {1, 3}, {10, 11}, {5, 12}, {-4, 13}, {13, 14}}
	for _, s := range steps {
		op := Op{Kind: OpSet, Key: "k", Value: []byte("1"), Clock: s.in}
		if r := d.Sequence(&op); r != Applied {
			t.Fatalf("clock %d: %v", s.in, r)
		}
		if op.Clock != s.stamp || d.Clock() != s.stamp {
			t.Fatalf("clock %d stamped %d (doc %d), want %d", s.in, op.Clock, d.Clock(), s.stamp)
		}
	}
}

// TestSequence_EverySetAndDeleteWins builds a document with arbitrary
// clocks (as clients' ApplyRemote would), then sequences sets and deletes
// with low client clocks: each must apply, stamps strictly increasing.
func TestSequence_EverySetAndDeleteWins(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	d := mustDoc(t, obj(`"m":{"type":"LiveMap","entries":{}}`))
	keys := []string{"a", "b", "c", "d"}
	for range 200 {
		p := `[]`
		if r.IntN(2) == 0 {
			p = `["m"]`
		}
		remote(t, d, set(p, keys[r.IntN(4)], fmt.Sprint(r.IntN(100)), r.IntN(1000)))
		if r.IntN(3) == 0 && p == `["m"]` {
			remote(t, d, del(p, keys[r.IntN(4)], r.IntN(1000)))
		}
	}
	last := d.Clock()
	for i := range 2000 {
		p := `["m"]`
		if r.IntN(2) == 0 {
			p = `[]`
		}
		k := keys[r.IntN(4)]
		var op Op
		wantApplied := true
		if r.IntN(3) == 0 {
			op = mustOp(t, del(p, k, r.IntN(5)))
			root := d.Root().(*Object)
			if p == `[]` {
				wantApplied = root.Has(k)
			} else {
				// A map delete applies to live entries and tombstones alike.
				wantApplied = root.Get("m").(*Map).f.find(k) >= 0
			}
		} else {
			if p == `[]` && k == "m" {
				continue
			}
			op = mustOp(t, set(p, k, fmt.Sprint(i), r.IntN(5)))
		}
		res := d.Sequence(&op)
		if op.Clock <= last || d.Clock() != op.Clock {
			t.Fatalf("stamp %d after %d (doc %d)", op.Clock, last, d.Clock())
		}
		last = op.Clock
		if wantApplied && res != Applied {
			t.Fatalf("%s lost under sequencing: %v", op.Raw, res)
		}
		if !wantApplied && res != Rejected {
			t.Fatalf("%s: %v, want rejected (missing key)", op.Raw, res)
		}
	}
}

func TestSequence_ListCollisionsAreUnappliable(t *testing.T) {
	l := obj(`"l":{"type":"LiveList","items":[{"position":"V","value":1},{"position":"k","value":2}]}`)
	runSteps(t, l, true, []step{
		{ins(`["l"]`, "V", "9", 1), Unappliable, l},
		{move(`["l"]`, "V", "k", 1), Unappliable, l},
		{move(`["l"]`, "q", "c", 1), Unappliable, l},
		{move(`["l"]`, "V", "V", 1), Applied, l},
		{ins(`["l"]`, "c", "3", 1), Applied, ""},
		{ldel(`["l"]`, "zz", 1), Unappliable, ""}, // the item may have moved away
	})
}

func TestSequence_BadOpNeverPoisonsClock(t *testing.T) {
	d := NewDoc()
	ops, bad, err := DecodeOps([]byte(`[{"type":"set","path":[],"key":"a","value":1},` +
		`{"type":"set","path":[],"key":"b","value":2,"clock":"x"},` +
		`{"type":"set","path":[],"key":"c","value":3,"clock":null},` +
		`{"type":"set","path":[],"key":"d","value":4,"clock":7}]`))
	if err != nil || bad != 3 || len(ops) != 1 {
		t.Fatalf("%d ops %d bad %v", len(ops), bad, err)
	}
	for i := range ops {
		d.Sequence(&ops[i])
	}
	if d.Clock() != 8 {
		t.Fatalf("clock %d", d.Clock())
	}
	if got := string(AppendOpJSON(nil, &ops[0])); got != `{"type":"set","path":[],"key":"d","value":4,"clock":8}` {
		t.Errorf("stamped op %s", got)
	}
}

func TestSequence_UnappliableStillStamps(t *testing.T) {
	d := NewDoc()
	op := mustOp(t, set(`["nope"]`, "k", "1", 3))
	before := docJSON(d)
	if r := d.Sequence(&op); r != Unappliable || op.Clock != 4 || d.Clock() != 4 || docJSON(d) != before {
		t.Errorf("%v clock %d doc %s", r, op.Clock, docJSON(d))
	}
}
