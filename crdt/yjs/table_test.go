package yjs

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// tblRow builds a row object from JSON text.
func tblRow(t testing.TB, js string) Any {
	t.Helper()
	v, err := ParseJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// tblJSON renders the rows as {key: val} plus the ts list, for comparisons and messages.
func tblJSON(t testing.TB, rows []Row) string {
	t.Helper()
	var b strings.Builder
	for _, r := range rows {
		js, err := r.Val.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s@%v=%s;", r.Key, r.TS, js)
	}
	return b.String()
}

func TestUpsertRow_WritesOneEntryPerKey(t *testing.T) {
	doc := NewDoc()
	u1, r1, err := UpsertRow(doc, 7, "posts", "p1", tblRow(t, `{"id":"p1","title":"a"}`), 1000)
	if err != nil || len(u1) == 0 {
		t.Fatalf("upsert: %v (update %d bytes)", err, len(u1))
	}
	if r1.TS != 1000 || r1.Key != "p1" {
		t.Fatalf("row %+v", r1)
	}
	// same millisecond: ts must still grow (max(now, highest+1))
	_, r2, err := UpsertRow(doc, 7, "posts", "p1", tblRow(t, `{"id":"p1","title":"b"}`), 1000)
	if err != nil || r2.TS != 1001 {
		t.Fatalf("second upsert ts %v err %v", r2.TS, err)
	}
	// another key adopts the table's highest ts too, even with a clock that went backwards
	_, r3, err := UpsertRow(doc, 7, "posts", "p2", tblRow(t, `{"id":"p2"}`), 5)
	if err != nil || r3.TS != 1002 {
		t.Fatalf("third upsert ts %v err %v", r3.TS, err)
	}
	if n := doc.ArrayLen("table:posts"); n != 2 {
		t.Fatalf("array has %d elements, want 2 (the loser of p1 deleted)", n)
	}
	got := tblJSON(t, ReadTable(doc, "posts"))
	if want := `p1@1001={"id":"p1","title":"b"};p2@1002={"id":"p2"};`; got != want {
		t.Fatalf("ReadTable = %s, want %s", got, want)
	}
	if r, ok := ReadRow(doc, "posts", "p2"); !ok || r.TS != 1002 {
		t.Fatalf("ReadRow p2 = %+v %v", r, ok)
	}
	if _, ok := ReadRow(doc, "posts", "nope"); ok {
		t.Fatal("ReadRow of a missing id succeeded")
	}
	if rows := ReadTable(doc, "other"); len(rows) != 0 {
		t.Fatalf("missing table has rows: %v", rows)
	}
}

func TestUpsertRow_RejectsBadValues(t *testing.T) {
	doc := NewDoc()
	cases := []struct {
		name string
		row  Any
		want error
	}{
		{"string", Any{Kind: AnyString, Str: "x"}, ErrNotObject},
		{"array", tblRow(t, `[1]`), ErrNotObject},
		{"bigint field", Any{Kind: AnyObject, Keys: []string{"n"}, Values: []Any{{Kind: AnyBigInt, BigInt: 1}}}, ErrInvalidAny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, _, err := UpsertRow(doc, 1, "t", "k", c.row, 1)
			if !errors.Is(err, c.want) || u != nil {
				t.Fatalf("err %v update %x, want %v and no update", err, u, c.want)
			}
		})
	}
	if _, _, err := UpsertRow(doc, 1<<53, "t", "k", tblRow(t, `{}`), 1); !errors.Is(err, ErrIntegerOutOfRange) {
		t.Fatalf("client 2^53: %v", err)
	}
	if doc.ArrayLen("table:t") != 0 {
		t.Fatal("a rejected write changed the document")
	}
}

func TestUpdateRow_ShallowMerge(t *testing.T) {
	doc := NewDoc()
	if _, _, err := UpdateRow(doc, 3, "posts", "p1", tblRow(t, `{"title":"x"}`), 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update of a missing row: %v", err)
	}
	if _, _, err := UpsertRow(doc, 3, "posts", "p1", tblRow(t, `{"id":"p1","title":"a","tags":["x"],"n":1}`), 10); err != nil {
		t.Fatal(err)
	}
	_, r, err := UpdateRow(doc, 3, "posts", "p1", tblRow(t, `{"title":"b","tags":null,"extra":{"k":1}}`), 10)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := r.Val.AppendJSON(nil)
	if want := `{"id":"p1","title":"b","tags":null,"n":1,"extra":{"k":1}}`; string(js) != want || r.TS != 11 {
		t.Fatalf("merged %s @%v, want %s @11", js, r.TS, want)
	}
	if _, _, err := UpdateRow(doc, 3, "posts", "p1", tblRow(t, `5`), 10); !errors.Is(err, ErrNotObject) {
		t.Fatalf("non-object patch: %v", err)
	}
	if doc.ArrayLen("table:posts") != 1 {
		t.Fatalf("array length %d, want 1", doc.ArrayLen("table:posts"))
	}
}

func TestDeleteRow_RemovesEveryEntryOfTheKey(t *testing.T) {
	a, b := NewDoc(), NewDoc()
	ua, _, _ := UpsertRow(a, 1, "posts", "p1", tblRow(t, `{"v":"a"}`), 5)
	ub, _, _ := UpsertRow(b, 2, "posts", "p1", tblRow(t, `{"v":"b"}`), 5)
	uo, _, _ := UpsertRow(b, 2, "posts", "p2", tblRow(t, `{"v":"other"}`), 5)
	applyAll(t, a, [][]byte{ub, uo})
	if n := a.ArrayLen("table:posts"); n != 3 {
		t.Fatalf("merged array has %d entries, want 3", n)
	}
	u, err := DeleteRow(a, 1, "posts", "p1")
	if err != nil || len(u) == 0 {
		t.Fatalf("delete: %v", err)
	}
	if _, ok := ReadRow(a, "posts", "p1"); ok {
		t.Fatal("p1 still live")
	}
	if got := tblJSON(t, ReadTable(a, "posts")); got != `p2@6={"v":"other"};` {
		t.Fatalf("rows %s", got)
	}
	if _, err := DeleteRow(a, 1, "posts", "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// the deletion reaches b, which had both entries
	applyAll(t, b, [][]byte{ua, u})
	if !reflect.DeepEqual(ReadTable(a, "posts"), ReadTable(b, "posts")) {
		t.Fatal("replicas differ after the delete")
	}
}

// TestReadTable_TieGoesToTheRightmostEntry: equal timestamps resolve by array position, and a
// higher timestamp wins wherever it sits.
func TestReadTable_TieGoesToTheRightmostEntry(t *testing.T) {
	for _, clients := range [][2]uint64{{1, 2}, {2, 1}, {900, 3}} {
		t.Run(fmt.Sprint(clients), func(t *testing.T) {
			a, b := NewDoc(), NewDoc()
			ua, _, _ := UpsertRow(a, clients[0], "t", "k", tblRow(t, `{"by":"a"}`), 100)
			ub, _, _ := UpsertRow(b, clients[1], "t", "k", tblRow(t, `{"by":"b"}`), 100)
			applyAll(t, a, [][]byte{ub})
			applyAll(t, b, [][]byte{ua})
			arr := a.Root("table:t", RootArray).Items
			if len(arr) != 2 {
				t.Fatalf("%d entries", len(arr))
			}
			last, _ := arr[1].Get("val")
			for _, d := range []*Doc{a, b} {
				r, ok := ReadRow(d, "t", "k")
				if !ok || !reflect.DeepEqual(r.Val, last) {
					t.Fatalf("winner %v, want the rightmost %v", r.Val, last)
				}
			}
			// a later-ts write from the replica whose entry sits on the left still wins
			left, _ := arr[0].Get("val")
			loser := a
			if by, _ := left.Get("by"); by.Str == "b" {
				loser = b
			}
			ts := ReadTable(loser, "t")[0].TS
			u, _, err := UpsertRow(loser, clients[0]+clients[1]+10, "t", "k", tblRow(t, `{"by":"late"}`), 0)
			if err != nil {
				t.Fatal(err)
			}
			other := a
			if loser == a {
				other = b
			}
			applyAll(t, other, [][]byte{u})
			for _, d := range []*Doc{a, b} {
				r, _ := ReadRow(d, "t", "k")
				if by, _ := r.Val.Get("by"); by.Str != "late" || r.TS != ts+1 {
					t.Fatalf("winner %v @%v, want late @%v", r.Val, r.TS, ts+1)
				}
			}
		})
	}
	// positional order only matters for ties
	a, b := NewDoc(), NewDoc()
	ua, _, _ := UpsertRow(a, 1, "t", "k", tblRow(t, `{"by":"a"}`), 500)
	ub, _, _ := UpsertRow(b, 2, "t", "k", tblRow(t, `{"by":"b"}`), 100)
	applyAll(t, a, [][]byte{ub})
	applyAll(t, b, [][]byte{ua})
	for _, d := range []*Doc{a, b} {
		r, _ := ReadRow(d, "t", "k")
		if by, _ := r.Val.Get("by"); by.Str != "a" {
			t.Fatalf("ts 500 lost to ts 100: %v", r.Val)
		}
	}
}

// TestReadTable_ForeignEntries: entries written by other clients may lack ts or val or not be
// entries at all.
func TestReadTable_ForeignEntries(t *testing.T) {
	doc := NewDoc()
	_, err := doc.Transact(5, func(tx *Txn) error {
		return tx.ArrayPush("table:t",
			tblRow(t, `"not an object"`),
			tblRow(t, `{"key":1,"val":{}}`),
			tblRow(t, `{"key":"a","val":{"n":1}}`),               // no ts: 0
			tblRow(t, `{"key":"a","val":{"n":2}}`),               // no ts, further right: wins
			tblRow(t, `{"key":"b","val":{"n":1},"ts":"9"}`),      // string ts: 0
			tblRow(t, `{"key":"b","val":{"n":2},"ts":-1}`),       // negative loses to 0
			tblRow(t, `{"key":"c","val":{"n":1},"ts":3}`),        //
			tblRow(t, `{"key":"c","ts":4}`),                      // tombstone wins: c absent
			tblRow(t, `{"key":"d","val":{"n":1},"ts":7.5}`),      // fractional ts
			tblRow(t, `{"ts":1e300,"key":"e","val":null,"x":1}`), // null row, huge ts
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := tblJSON(t, ReadTable(doc, "t"))
	want := `a@0={"n":2};b@0={"n":1};d@7.5={"n":1};e@1e+300=null;`
	if got != want {
		t.Fatalf("rows\n got %s\nwant %s", got, want)
	}
	// writing c again deletes its tombstone and value entries
	_, r, err := UpsertRow(doc, 5, "t", "c", tblRow(t, `{"n":3}`), 1)
	if err != nil || r.TS != 1e300+1 {
		t.Fatalf("upsert c: ts %v err %v", r.TS, err)
	}
	n := 0
	for _, it := range doc.Root("table:t", RootArray).Items {
		if k, _ := it.Get("key"); k.Str == "c" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d entries of c, want 1", n)
	}
}

func TestKV_SetGetDelete(t *testing.T) {
	doc := NewDoc()
	if _, _, err := SetKey(doc, 9, "theme", tblRow(t, `"dark"`), 50); err != nil {
		t.Fatal(err)
	}
	if _, _, err := SetKey(doc, 9, "size", tblRow(t, `12`), 50); err != nil {
		t.Fatal(err)
	}
	if _, _, err := SetKey(doc, 9, "theme", tblRow(t, `{"mode":"light"}`), 50); err != nil {
		t.Fatal(err)
	}
	if _, _, err := SetKey(doc, 9, "u", Any{}, 50); !errors.Is(err, ErrInvalidAny) {
		t.Fatalf("undefined value: %v", err)
	}
	if got := tblJSON(t, ReadKV(doc)); got != `size@51=12;theme@52={"mode":"light"};` {
		t.Fatalf("kv %s", got)
	}
	if r, ok := ReadKey(doc, "size"); !ok || r.Val.Num != 12 {
		t.Fatalf("size %+v", r)
	}
	if _, err := DeleteKey(doc, 9, "size"); err != nil {
		t.Fatal(err)
	}
	if _, err := DeleteKey(doc, 9, "size"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete %v", err)
	}
	if doc.ArrayLen(KVArray) != 1 {
		t.Fatalf("kv length %d", doc.ArrayLen(KVArray))
	}
}

func TestMergeObjects_DoesNotModifyItsArguments(t *testing.T) {
	base := tblRow(t, `{"a":1,"b":2}`)
	patch := tblRow(t, `{"b":3,"c":4}`)
	m := MergeObjects(base, patch)
	js, _ := m.AppendJSON(nil)
	bj, _ := base.AppendJSON(nil)
	if string(js) != `{"a":1,"b":3,"c":4}` || string(bj) != `{"a":1,"b":2}` {
		t.Fatalf("merge %s base %s", js, bj)
	}
}

// tblWorld simulates replicas that write to one table and exchange updates in random orders.
type tblWorld struct {
	t       *testing.T
	rng     *rand.Rand
	docs    []*Doc
	clients []uint64
	inbox   [][][]byte // per doc: updates not delivered yet
	// model: every entry ever written (by its tag) and the tags some writer deleted
	written map[string]float64 // tag -> ts
	keyOf   map[string]string
	deleted map[string]bool
	seq     int
}

func newTblWorld(t *testing.T, seed uint64, n int) *tblWorld {
	w := &tblWorld{t: t, rng: rand.New(rand.NewPCG(seed, 99)), written: map[string]float64{},
		keyOf: map[string]string{}, deleted: map[string]bool{}}
	for i := 0; i < n; i++ {
		w.docs = append(w.docs, NewDoc())
		w.clients = append(w.clients, w.rng.Uint64N(1<<53))
		w.inbox = append(w.inbox, nil)
	}
	return w
}

// entryTags returns the tags of the entries of key visible in doc i.
func (w *tblWorld) entryTags(i int, key string) []string {
	ka := readKeyed(w.docs[i], "table:t")
	var tags []string
	for _, e := range ka.entries {
		if e.key == key {
			tag, _ := e.value().Get("tag")
			tags = append(tags, tag.Str)
		}
	}
	return tags
}

func (w *tblWorld) send(from int, u []byte) {
	if u == nil {
		return
	}
	for j := range w.docs {
		if j != from {
			w.inbox[j] = append(w.inbox[j], u)
		}
	}
}

// deliver applies a random subset of doc j's pending updates in random order.
func (w *tblWorld) deliver(j int, all bool) {
	in := w.inbox[j]
	w.rng.Shuffle(len(in), func(a, b int) { in[a], in[b] = in[b], in[a] })
	k := len(in)
	if !all && k > 0 {
		k = w.rng.IntN(k + 1)
	}
	for _, u := range in[:k] {
		if err := w.docs[j].Apply(u); err != nil {
			w.t.Fatal(err)
		}
	}
	w.inbox[j] = append(in[:0:0], in[k:]...)
}

func (w *tblWorld) step(now int64) {
	i := w.rng.IntN(len(w.docs))
	key := fmt.Sprintf("k%d", w.rng.IntN(4))
	for _, tag := range w.entryTags(i, key) {
		w.deleted[tag] = true // every write or delete by i removes what i sees of key
	}
	w.seq++
	tag := fmt.Sprintf("d%d-%d", i, w.seq)
	var u []byte
	var err error
	switch op := w.rng.IntN(10); {
	case op < 6:
		var r Row
		u, r, err = UpsertRow(w.docs[i], w.clients[i], "t", key, tblRow(w.t, fmt.Sprintf(`{"id":%q,"tag":%q}`, key, tag)), now)
		w.written[tag], w.keyOf[tag] = r.TS, key
	case op < 8:
		var r Row
		u, r, err = UpdateRow(w.docs[i], w.clients[i], "t", key, tblRow(w.t, fmt.Sprintf(`{"tag":%q}`, tag)), now)
		if err == nil {
			w.written[tag], w.keyOf[tag] = r.TS, key
		}
	default:
		u, err = DeleteRow(w.docs[i], w.clients[i], "t", key)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		w.t.Fatal(err)
	}
	w.send(i, u)
}

// TestTable_ConcurrentWritersConverge: replicas write the same keys concurrently with coarse,
// skewed clocks (so timestamps tie often) and exchange updates in random orders. After full
// delivery every replica reads the same rows, the surviving entries are exactly those no writer
// deleted, and each key's live row is the surviving entry with the highest ts (ties: rightmost).
func TestTable_ConcurrentWritersConverge(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newTblWorld(t, seed, 2+int(seed%3))
			for s := 0; s < 60; s++ {
				w.step(int64(w.rng.IntN(3))) // clocks far behind the table: ts ties are common
				if w.rng.IntN(3) == 0 {
					w.deliver(w.rng.IntN(len(w.docs)), false)
				}
			}
			for j := range w.docs {
				w.deliver(j, true)
			}
			want := tblJSON(t, ReadTable(w.docs[0], "t"))
			for j := range w.docs {
				if got := tblJSON(t, ReadTable(w.docs[j], "t")); got != want {
					t.Fatalf("replica %d reads\n%s\nreplica 0 reads\n%s", j, got, want)
				}
				if w.docs[j].HasPending() {
					t.Fatalf("replica %d has pending structs", j)
				}
			}
			w.checkModel(t)
			// a write made after seeing everything wins everywhere
			u, _, err := UpsertRow(w.docs[0], w.clients[0], "t", "k0", tblRow(t, `{"id":"k0","tag":"final"}`), 0)
			if err != nil {
				t.Fatal(err)
			}
			for j := 1; j < len(w.docs); j++ {
				applyAll(t, w.docs[j], [][]byte{u})
				if r, _ := ReadRow(w.docs[j], "t", "k0"); !strings.Contains(r.Val.String(), "final") {
					t.Fatalf("replica %d: k0 = %v after a causally later write", j, r.Val)
				}
			}
		})
	}
}

func (w *tblWorld) checkModel(t *testing.T) {
	ka := readKeyed(w.docs[0], "table:t")
	present := map[string]bool{}
	for _, e := range ka.entries {
		tag, _ := e.value().Get("tag")
		if ts := w.written[tag.Str]; ts != e.ts {
			t.Fatalf("entry %s has ts %v, model %v", tag.Str, e.ts, ts)
		}
		present[tag.Str] = true
	}
	for tag := range w.written {
		if survives := !w.deleted[tag]; survives != present[tag] {
			t.Fatalf("entry %s: present %v, model says survives %v", tag, present[tag], survives)
		}
	}
	for key := range map[string]bool{"k0": true, "k1": true, "k2": true, "k3": true} {
		best, bestIdx := -1.0, -1
		for _, e := range ka.entries {
			if e.key == key && e.ts >= best {
				best, bestIdx = e.ts, e.index
			}
		}
		r, ok := ReadRow(w.docs[0], "t", key)
		if bestIdx < 0 {
			if ok {
				t.Fatalf("key %s live without entries", key)
			}
			continue
		}
		if !ok || r.TS != best {
			t.Fatalf("key %s: live %v @%v, want ts %v", key, r.Val, r.TS, best)
		}
		want, _ := w.docs[0].Root("table:t", RootArray).Items[bestIdx].Get("val")
		if !reflect.DeepEqual(r.Val, want) {
			t.Fatalf("key %s: live %v, want the rightmost highest %v", key, r.Val, want)
		}
	}
}

// TestNode_TableEntriesLoadInYjs: a document written through the table helpers (including a
// concurrent merge) loads in stock yjs with the same content.
func TestNode_TableEntriesLoadInYjs(t *testing.T) {
	node := requireNode(t)
	a, b := NewDoc(), NewDoc()
	var ups [][]byte
	add := func(u []byte, _ Row, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	add(UpsertRow(a, 11, "posts", "p1", tblRow(t, `{"id":"p1","title":"Hello","n":1.5,"tags":["a","b"],"deep":{"x":null}}`), 1700000000000))
	add(UpsertRow(a, 11, "posts", "p2", tblRow(t, `{"id":"p2","title":"ünïcödé 😀"}`), 1700000000000))
	add(UpdateRow(a, 11, "posts", "p1", tblRow(t, `{"title":"Hello again","12":"num key"}`), 1700000000001))
	add(SetKey(a, 11, "theme", tblRow(t, `"dark"`), 1700000000002))
	applyAll(t, b, ups)
	add(UpsertRow(b, 22, "posts", "p1", tblRow(t, `{"id":"p1","title":"from b"}`), 1700000000000))
	add(UpsertRow(a, 11, "posts", "p1", tblRow(t, `{"id":"p1","title":"from a"}`), 1700000000000)) // concurrent, same ts
	u, err := DeleteRow(a, 11, "posts", "p2")
	if err != nil {
		t.Fatal(err)
	}
	ups = append(ups, u)
	merged := NewDoc()
	applyAll(t, merged, ups)
	state := mustState(t, merged)

	var in strings.Builder
	in.WriteString(hex.EncodeToString(state))
	in.WriteByte('\n')
	out := runNode(t, node, "apply-and-dump.mjs", []byte(in.String()), "table:posts:array", "kv:array")
	var got struct {
		Content        map[string]any `json:"content"`
		PendingStructs bool           `json:"pendingStructs"`
		PendingDs      bool           `json:"pendingDs"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if got.PendingStructs || got.PendingDs {
		t.Fatal("yjs has pending structs after loading the state")
	}
	want := map[string]any{
		"table:posts": canonicalJSON(t, merged.Root("table:posts", RootArray)),
		"kv":          canonicalJSON(t, merged.Root("kv", RootArray)),
	}
	if !reflect.DeepEqual(got.Content, want) {
		g, _ := json.Marshal(got.Content)
		w, _ := json.Marshal(want)
		t.Fatalf("yjs content\n%s\nwant\n%s", g, w)
	}
	// the concurrent p1 writes tie at the same ts: both entries are there, the rightmost wins
	if n := len(want["table:posts"].([]any)); n != 2 {
		t.Fatalf("%d entries, want 2 (p1 twice)", n)
	}
	r, _ := ReadRow(merged, "posts", "p1")
	last := want["table:posts"].([]any)[1].(map[string]any)["val"]
	if !reflect.DeepEqual(canonicalJSON(t, r.Val), last) {
		t.Fatalf("winner %v, want the rightmost %v", r.Val, last)
	}
}

// FuzzScanRawEntry: the in-place entry scanner never panics and agrees with full decoding.
func FuzzScanRawEntry(f *testing.F) {
	for _, js := range []string{`{"key":"a","val":{"x":[1,2,{"y":null}]},"ts":1700000000000}`, `{"key":"a","ts":1.5}`,
		`{"val":1,"key":"b","key":2}`, `{"key":"c","ts":-7,"val":"s","ts":"x"}`, `[1]`, `"s"`} {
		v, err := ParseJSON([]byte(js))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(AppendAny(nil, v))
	}
	f.Add([]byte{tagObject, 1, 3, 'k', 'e', 'y', tagString, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		key, ts, val, hasVal, ok := scanRawEntry(raw)
		v, n, err := DecodeAny(raw)
		if err != nil || n != len(raw) {
			return
		}
		k, kok := v.Get("key")
		wantOK := v.Kind == AnyObject && kok && k.Kind == AnyString
		if ok != wantOK {
			t.Fatalf("ok %v, decoded %v", ok, v)
		}
		if !ok {
			return
		}
		wv, wHas := v.Get("val")
		if string(key) != k.Str || ts != tsOf(v) || hasVal != wHas {
			t.Fatalf("scan %q %v %v, decoded %v", key, ts, hasVal, v)
		}
		if hasVal {
			gv, _, err := DecodeAny(val)
			if err != nil || gv.String() != wv.String() {
				t.Fatalf("val %v (%v), decoded %v", gv, err, wv)
			}
		}
	})
}

// TestReadTable_JSONContentEntries: entries stored as ContentJSON (very old yjs clients) are read
// through the decoded path and replaced like any other.
func TestReadTable_JSONContentEntries(t *testing.T) {
	u := AppendVarUint(nil, 1) // one client
	u = AppendVarUint(u, 1)    // one struct
	u = AppendVarUint(u, 5)    // client 5
	u = AppendVarUint(u, 0)    // clock 0
	u = append(u, 2)           // Item, ContentJSON, no origins
	u = AppendVarUint(u, 1)    // parent is a root type
	u = AppendVarString(u, "table:t")
	u = AppendVarUint(u, 3)
	u = AppendVarString(u, `{"key":"a","val":{"n":1},"ts":5}`)
	u = AppendVarString(u, `{"key":"a","val":{"n":2},"ts":3}`)
	u = AppendVarString(u, `{"key":"b","val":{"n":3}}`)
	u = AppendVarUint(u, 0) // empty delete set
	doc := NewDoc()
	if err := doc.Apply(u); err != nil {
		t.Fatal(err)
	}
	if got := tblJSON(t, ReadTable(doc, "t")); got != `a@5={"n":1};b@0={"n":3};` {
		t.Fatalf("rows %s", got)
	}
	if _, r, err := UpsertRow(doc, 6, "t", "a", tblRow(t, `{"n":4}`), 1); err != nil || r.TS != 6 {
		t.Fatalf("upsert: %v ts %v", err, r.TS)
	}
	if got := tblJSON(t, ReadTable(doc, "t")); got != `b@0={"n":3};a@6={"n":4};` || doc.ArrayLen("table:t") != 2 {
		t.Fatalf("rows %s (length %d)", got, doc.ArrayLen("table:t"))
	}
}

// TestReadTable_CacheMatchesFreshParse: the per-content cache of parsed
// entries (contentAny.keyed) survives the splits, merges and foreign updates
// of concurrent table writes: after every step each replica reads the same
// rows as a copy of it loaded from its encoded state, which parses afresh.
func TestReadTable_CacheMatchesFreshParse(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		w := newTblWorld(t, seed, 3)
		for s := 0; s < 80; s++ {
			w.step(int64(w.rng.IntN(3)))
			if w.rng.IntN(2) == 0 {
				w.deliver(w.rng.IntN(len(w.docs)), false)
			}
			for j, d := range w.docs {
				state, err := d.EncodeStateAsUpdate(nil)
				if err != nil {
					t.Fatal(err)
				}
				fresh := NewDoc()
				if err := fresh.Load(state); err != nil {
					t.Fatal(err)
				}
				got, want := tblJSON(t, ReadTable(d, "t")), tblJSON(t, ReadTable(fresh, "t"))
				if got != want {
					t.Fatalf("seed %d step %d replica %d reads\n%s\nits fresh copy reads\n%s", seed, s, j, got, want)
				}
			}
		}
	}
}
