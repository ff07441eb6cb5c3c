package yjs

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// editOp is one edit of an edit script (the format of testdata/node/replay-edits.mjs).
type editOp struct {
	Op     string `json:"op"`
	Root   string `json:"root"`
	Index  int    `json:"index"`
	Length int    `json:"length,omitempty"`
	Key    string `json:"key,omitempty"`
	Values []any  `json:"values,omitempty"`
	Value  any    `json:"value"`
}

type editStep struct {
	Doc  int      `json:"doc"`
	Ops  []editOp `json:"ops,omitempty"`
	Sync []int    `json:"sync,omitempty"`
}

type editScript struct {
	Clients []uint64   `json:"clients"`
	Steps   []editStep `json:"steps"`
}

func anyOf(t testing.TB, v any) Any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// run performs an edit op in a Go transaction.
func (op editOp) run(t testing.TB, tx *Txn) error {
	switch op.Op {
	case "insert", "push":
		vals := make([]Any, len(op.Values))
		for i, v := range op.Values {
			vals[i] = anyOf(t, v)
		}
		if op.Op == "push" {
			return tx.ArrayPush(op.Root, vals...)
		}
		return tx.ArrayInsert(op.Root, op.Index, vals...)
	case "delete":
		return tx.ArrayDelete(op.Root, op.Index, op.Length)
	case "set":
		return tx.MapSet(op.Root, op.Key, anyOf(t, op.Value))
	case "unset":
		tx.MapDelete(op.Root, op.Key)
		return nil
	}
	t.Fatalf("unknown op %q", op.Op)
	return nil
}

// randomScript makes concurrent edits on two documents (array "a", map "m") with occasional syncs.
func randomScript(seed uint64, steps int) editScript {
	rng := rand.New(rand.NewPCG(seed, 5))
	s := editScript{Clients: []uint64{11, 2200}}
	lengths := []int{0, 0} // visible length of "a" in each doc, tracked like the docs do
	value := func() any {
		switch rng.IntN(5) {
		case 0:
			return rng.IntN(1000) - 500
		case 1:
			return "s" + strconv.Itoa(rng.IntN(100))
		case 2:
			return map[string]any{"key": "p" + strconv.Itoa(rng.IntN(5)), "val": map[string]any{"n": rng.Float64()}, "ts": 1700000000000 + rng.IntN(1000)}
		case 3:
			return []any{true, nil, 1.5}
		default:
			return nil
		}
	}
	for i := 0; i < steps; i++ {
		if rng.IntN(5) == 0 {
			from := rng.IntN(2)
			s.Steps = append(s.Steps, editStep{Sync: []int{from, 1 - from}})
			lengths[1-from] = -1 // unknown until recomputed by the caller
			continue
		}
		d := rng.IntN(2)
		st := editStep{Doc: d}
		for k := 0; k < 1+rng.IntN(3); k++ {
			n := lengths[d]
			if n < 0 {
				n = 0 // after a sync the test only appends or edits at the front
			}
			switch r := rng.IntN(10); {
			case r < 3:
				vals := []any{value()}
				if rng.IntN(2) == 0 {
					vals = append(vals, value())
				}
				st.Ops = append(st.Ops, editOp{Op: "insert", Root: "a", Index: rng.IntN(n + 1), Values: vals})
				if lengths[d] >= 0 {
					lengths[d] += len(vals)
				}
			case r < 5:
				st.Ops = append(st.Ops, editOp{Op: "push", Root: "a", Values: []any{value()}})
				if lengths[d] >= 0 {
					lengths[d]++
				}
			case r < 7 && n > 0:
				p := rng.IntN(n)
				l := 1 + rng.IntN(min(3, n-p))
				st.Ops = append(st.Ops, editOp{Op: "delete", Root: "a", Index: p, Length: l})
				lengths[d] -= l
			case r < 9:
				st.Ops = append(st.Ops, editOp{Op: "set", Root: "m", Key: "k" + strconv.Itoa(rng.IntN(4)), Value: value()})
			default:
				st.Ops = append(st.Ops, editOp{Op: "unset", Root: "m", Key: "k" + strconv.Itoa(rng.IntN(4))})
			}
		}
		s.Steps = append(s.Steps, st)
	}
	return s
}

// replayGo runs an edit script on Go documents and returns the update of every step.
func replayGo(t testing.TB, s editScript) ([][]byte, []*Doc) {
	docs := []*Doc{NewDoc(), NewDoc()}
	var out [][]byte
	for _, st := range s.Steps {
		if st.Sync != nil {
			from, to := docs[st.Sync[0]], docs[st.Sync[1]]
			u, err := from.EncodeStateAsUpdate(to.StateVector())
			if err != nil {
				t.Fatal(err)
			}
			if err := to.Apply(u); err != nil {
				t.Fatal(err)
			}
			out = append(out, u)
			continue
		}
		u, err := docs[st.Doc].Transact(s.Clients[st.Doc], func(tx *Txn) error {
			for _, op := range st.Ops {
				if err := op.run(t, tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out, docs
}

// fixLengths makes the random script valid: indexes are clamped to the real array length.
func fixLengths(t testing.TB, s editScript) editScript {
	docs := []*Doc{NewDoc(), NewDoc()}
	for si, st := range s.Steps {
		if st.Sync != nil {
			u, _ := docs[st.Sync[0]].EncodeStateAsUpdate(docs[st.Sync[1]].StateVector())
			if err := docs[st.Sync[1]].Apply(u); err != nil {
				t.Fatal(err)
			}
			continue
		}
		_, err := docs[st.Doc].Transact(s.Clients[st.Doc], func(tx *Txn) error {
			for oi := range st.Ops {
				op := &s.Steps[si].Ops[oi]
				n := int(tx.tr.doc.root("a").length)
				switch op.Op {
				case "insert":
					op.Index = min(op.Index, n)
				case "delete":
					if n == 0 {
						*op = editOp{Op: "push", Root: "a", Values: []any{"filler"}}
					} else {
						op.Index = min(op.Index, n-1)
						op.Length = max(1, min(op.Length, n-op.Index))
					}
				}
				if err := op.run(t, tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestTxn_EditsReadBackAndConverge(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		s := fixLengths(t, randomScript(seed, 60))
		ups, docs := replayGo(t, s)
		// a third document that receives every update in reverse order converges with both
		third := NewDoc()
		for i := len(ups) - 1; i >= 0; i-- {
			if ups[i] != nil {
				if err := third.Apply(ups[i]); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, pair := range [][2]int{{0, 1}, {1, 0}} {
			u, _ := docs[pair[0]].EncodeStateAsUpdate(docs[pair[1]].StateVector())
			if err := docs[pair[1]].Apply(u); err != nil {
				t.Fatal(err)
			}
		}
		want := docs[0].Root("a", RootArray)
		for i, d := range []*Doc{docs[1], third} {
			if got := d.Root("a", RootArray); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d doc %d: arrays differ\n%s\n%s", seed, i+1, got, want)
			}
			// key order follows integration order (like a JS Map): compare as sets
			if got, w := canonicalJSON(t, d.Root("m", RootMap)), canonicalJSON(t, docs[0].Root("m", RootMap)); !reflect.DeepEqual(got, w) {
				t.Fatalf("seed %d doc %d: maps differ\n%v\n%v", seed, i+1, got, w)
			}
		}
	}
}

func TestTxn_ArrayOps(t *testing.T) {
	doc := NewDoc()
	u, err := doc.Transact(5, func(tx *Txn) error {
		if err := tx.ArrayPush("a", num(1), num(2), num(3)); err != nil {
			return err
		}
		if err := tx.ArrayInsert("a", 1, str("x"), Any{Kind: AnyBytes, Bytes: []byte{7}}); err != nil {
			return err
		}
		return tx.ArrayDelete("a", 3, 1)
	})
	if err != nil || u == nil {
		t.Fatalf("update %x, %v", u, err)
	}
	got := doc.Root("a", RootArray)
	want := Any{Kind: AnyArray, Items: []Any{num(1), str("x"), {Kind: AnyBytes, Bytes: []byte{7}}, num(3)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s", got)
	}
	if doc.ArrayLen("a") != 4 {
		t.Fatalf("length %d", doc.ArrayLen("a"))
	}
	other := NewDoc()
	if err := other.Apply(u); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(other.Root("a", RootArray), want) {
		t.Fatal("the update does not reproduce the edits")
	}
	// invalid arguments change nothing
	before := mustState(t, doc)
	u, err = doc.Transact(5, func(tx *Txn) error { return tx.ArrayDelete("a", 2, 5) })
	if !errors.Is(err, ErrNotFound) || u != nil {
		t.Fatalf("delete past the end: %x, %v", u, err)
	}
	u, err = doc.Transact(5, func(tx *Txn) error { return tx.ArrayInsert("a", 9, num(1)) })
	if !errors.Is(err, ErrNotFound) || u != nil {
		t.Fatalf("insert past the end: %x, %v", u, err)
	}
	u, err = doc.Transact(5, func(tx *Txn) error { return tx.ArrayPush("a", Any{Kind: AnyUndefined}) })
	if !errors.Is(err, ErrInvalidAny) || u != nil {
		t.Fatalf("push undefined: %x, %v", u, err)
	}
	if !bytes.Equal(mustState(t, doc), before) {
		t.Fatal("rejected edits changed the document")
	}
	if _, err := doc.Transact(1<<53, func(*Txn) error { return nil }); !errors.Is(err, ErrIntegerOutOfRange) {
		t.Fatalf("client id beyond 2^53: %v", err)
	}
}

func TestTxn_MapOps(t *testing.T) {
	doc := NewDoc()
	u, err := doc.Transact(9, func(tx *Txn) error {
		_ = tx.MapSet("m", "b", num(1))
		_ = tx.MapSet("m", "a", str("x"))
		_ = tx.MapSet("m", "b", num(2))
		_ = tx.MapSet("m", "2", Any{Kind: AnyNull})
		tx.MapDelete("m", "a")
		tx.MapDelete("m", "missing")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Any{Kind: AnyObject, Keys: []string{"2", "b"}, Values: []Any{{Kind: AnyNull}, num(2)}}
	if got := doc.Root("m", RootMap); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s", got)
	}
	other := NewDoc()
	if err := other.Apply(u); err != nil {
		t.Fatal(err)
	}
	if got := other.Root("m", RootMap); !reflect.DeepEqual(got, want) {
		t.Fatalf("replica got %s", got)
	}
	if names := doc.RootNames(); !reflect.DeepEqual(names, []string{"m"}) {
		t.Fatalf("RootNames() = %v", names)
	}
	if u, err := doc.Transact(9, func(*Txn) error { return nil }); u != nil || err != nil {
		t.Fatalf("empty transaction: %x, %v", u, err)
	}
}

// TestNode_TxnMatchesYjs replays random concurrent edit scripts in yjs and compares every update
// (local transactions and sync diffs) and the final states byte for byte.
func TestNode_TxnMatchesYjs(t *testing.T) {
	node := requireNode(t)
	compared := 0
	defer func() { t.Logf("%d updates identical to yjs", compared) }()
	for seed := uint64(1); seed <= 6; seed++ {
		s := fixLengths(t, randomScript(seed, 80))
		in, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var js struct {
			Updates []*string `json:"updates"`
			States  []string  `json:"states"`
		}
		if err := json.Unmarshal(runNode(t, node, "replay-edits.mjs", in), &js); err != nil {
			t.Fatal(err)
		}
		ups, docs := replayGo(t, s)
		if len(js.Updates) != len(ups) {
			t.Fatalf("%d updates from yjs, %d from Go", len(js.Updates), len(ups))
		}
		for i, u := range ups {
			want := ""
			if js.Updates[i] != nil {
				want = *js.Updates[i]
			}
			if got := hex.EncodeToString(u); got != want {
				t.Fatalf("seed %d step %d (%+v): update differs\ngot  %s\nwant %s", seed, i, s.Steps[i], got, want)
			}
			compared++
		}
		for i, d := range docs {
			checkHex(t, "final state", mustState(t, d), nil, js.States[i])
		}
	}
}

func canonicalJSON(t testing.TB, a Any) any {
	b, err := a.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
