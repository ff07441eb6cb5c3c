package yjs

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"
)

func mustState(t testing.TB, doc *Doc) []byte {
	t.Helper()
	s, err := doc.EncodeStateAsUpdate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func applyAll(t testing.TB, doc *Doc, ups [][]byte) {
	t.Helper()
	for i, u := range ups {
		if err := doc.Apply(u); err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
	}
}

func TestDoc_Apply_OutOfOrderBecomesVisible(t *testing.T) {
	ups := genEdits(1, 400)
	inOrder := NewDoc()
	applyAll(t, inOrder, ups)
	if inOrder.HasPending() {
		t.Fatal("pending after in-order application")
	}
	want := mustState(t, inOrder)

	rev := NewDoc()
	for i := len(ups) - 1; i >= 1; i-- {
		if err := rev.Apply(ups[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !rev.HasPending() {
		t.Fatal("nothing pending while the first update is missing")
	}
	if got := rev.StateVector(); !bytes.Equal(got, []byte{0}) {
		t.Fatalf("state vector without the first update = %x, want 00 (everything depends on it)", got)
	}
	// the pending content is not lost: it is part of the encoded state
	partial := mustState(t, rev)
	if len(partial) < len(want)/2 {
		t.Fatalf("encoded state with pending structs is only %d bytes", len(partial))
	}
	if err := rev.Apply(ups[0]); err != nil {
		t.Fatal(err)
	}
	if rev.HasPending() {
		t.Fatal("still pending after the gap was filled")
	}
	if !bytes.Equal(rev.StateVector(), inOrder.StateVector()) {
		t.Fatalf("state vectors differ: %x vs %x", rev.StateVector(), inOrder.StateVector())
	}
	// same content: each state is fully contained in the other
	for _, pair := range [][2]*Doc{{rev, inOrder}, {inOrder, rev}} {
		d, err := pair[0].EncodeStateAsUpdate(pair[1].StateVector())
		if err != nil {
			t.Fatal(err)
		}
		if d[0] != 0 {
			t.Fatalf("diff between converged docs has structs: %x", d[:8])
		}
	}
}

func TestDoc_Apply_DuplicatesAreIdempotent(t *testing.T) {
	ups := genEdits(2, 300)
	doc := NewDoc()
	applyAll(t, doc, ups)
	want := mustState(t, doc)
	applyAll(t, doc, ups)
	if err := doc.Apply(want); err != nil {
		t.Fatal(err)
	}
	merged, err := MergeUpdates(ups[:150])
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Apply(merged); err != nil {
		t.Fatal(err)
	}
	if got := mustState(t, doc); !bytes.Equal(got, want) {
		t.Fatal("re-applying known updates changed the state")
	}
}

func TestDoc_Apply_InvalidLeavesDocUnchanged(t *testing.T) {
	ups := genEdits(3, 200)
	doc := NewDoc()
	applyAll(t, doc, ups[:100])
	want := mustState(t, doc)
	wantSV := doc.StateVector()
	next, err := MergeUpdates(ups[100:])
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	var bad [][]byte
	for n := 0; n < len(next); n += 1 + n/8 {
		bad = append(bad, next[:n]) // truncated
	}
	for i := 0; i < 200; i++ { // corrupted bytes
		b := bytes.Clone(next)
		b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		bad = append(bad, b)
	}
	bad = append(bad,
		[]byte{0xff, 0xff, 0xff, 0xff, 0x0f},          // huge client count
		[]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0}, // huge struct count
		unhex(t, "0101010001040101740103"),            // truncated string
		unhex(t, "010101000a00"),                      // zero-length skip
		unhex(t, "01010105880104017d0100"),            // origin in its own future
		unhex(t, "0101010007010161070000"),            // unknown type ref 7
		unhex(t, "010101000801016101730000"),          // any with unknown tag
	)
	rejected := 0
	for _, b := range bad {
		if err := doc.Apply(b); err != nil {
			rejected++
			if !errors.Is(err, ErrInvalidUpdate) && !errors.Is(err, ErrUnexpectedEOF) {
				t.Errorf("error %v does not wrap ErrInvalidUpdate", err)
			}
			if got := mustState(t, doc); !bytes.Equal(got, want) {
				t.Fatalf("rejected update %x changed the document", b)
			}
			continue
		}
		// a corruption can still be a valid update: start over from the reference state
		doc = NewDoc()
		applyAll(t, doc, ups[:100])
	}
	if rejected < len(bad)/2 {
		t.Fatalf("only %d of %d corrupted updates rejected", rejected, len(bad))
	}
	if !bytes.Equal(doc.StateVector(), wantSV) {
		t.Fatal("state vector changed")
	}
}

func TestDoc_Load(t *testing.T) {
	ups := genEdits(4, 300)
	src := NewDoc()
	applyAll(t, src, ups)
	state := mustState(t, src)

	doc := NewDoc()
	applyAll(t, doc, genEdits(5, 10)) // replaced by Load
	if err := doc.Load(state); err != nil {
		t.Fatal(err)
	}
	if got := mustState(t, doc); !bytes.Equal(got, state) {
		t.Fatal("loaded state re-encodes differently")
	}
	if err := doc.Load(state[:len(state)/2]); err == nil {
		t.Fatal("truncated state loaded")
	}
	if got := mustState(t, doc); !bytes.Equal(got, state) {
		t.Fatal("failed Load changed the document")
	}
}

func TestDoc_EncodeStateAsUpdate_DiffBringsPeerUpToDate(t *testing.T) {
	ups := genEdits(6, 400)
	full := NewDoc()
	applyAll(t, full, ups)
	peer := NewDoc()
	applyAll(t, peer, ups[:170])
	diff, err := full.EncodeStateAsUpdate(peer.StateVector())
	if err != nil {
		t.Fatal(err)
	}
	if state := mustState(t, full); len(diff) >= len(state) {
		t.Fatalf("diff (%d B) is not smaller than the full state (%d B)", len(diff), len(state))
	}
	if err := peer.Apply(diff); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(peer.StateVector(), full.StateVector()) || peer.HasPending() {
		t.Fatal("peer did not catch up")
	}
	if _, err := full.EncodeStateAsUpdate([]byte{5, 1}); !errors.Is(err, ErrInvalidStateVector) {
		t.Fatalf("bad state vector: %v", err)
	}
}

// TestDoc_CompactionBoundsDeletedContent types 10k characters and deletes them again: the stored
// state keeps only the structure (ids and positions), not the text.
func TestDoc_CompactionBoundsDeletedContent(t *testing.T) {
	doc := NewDoc()
	var ups [][]byte
	const client = 77
	text := bytes.Repeat([]byte("0123456789"), 1000)
	for i := 0; i < len(text); i++ {
		b := newItem(ID{client, uint64(i)}, newContentString(string(text[i:i+1])))
		if i == 0 {
			b.parentKind, b.parentRoot = parentRoot, "t"
		} else {
			b.hasOrigin, b.origin = true, ID{client, uint64(i - 1)}
		}
		ups = append(ups, encodeOne(b, deleteSet{}))
	}
	applyAll(t, doc, ups)
	live := len(mustState(t, doc))
	for i := 0; i < len(text); i += 100 {
		var ds deleteSet
		ds.add(client, uint64(i), 100)
		ups = append(ups, encodeOne(nil, ds))
		if err := doc.Apply(ups[len(ups)-1]); err != nil {
			t.Fatal(err)
		}
	}
	state := mustState(t, doc)
	merged, err := MergeUpdates(ups)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("10k chars typed: %d B; all deleted: Doc %d B, MergeUpdates without gc %d B", live, len(state), len(merged))
	if len(state) > 32 {
		t.Fatalf("deleted text still takes %d bytes: %s", len(state), hex.EncodeToString(state))
	}
}
