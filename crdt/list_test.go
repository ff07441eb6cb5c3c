package crdt

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestApplyRemote_LiveList(t *testing.T) {
	l := func(items string) string { return obj(`"l":{"type":"LiveList","items":[` + items + `]}`) }
	it := func(pos, v string) string { return fmt.Sprintf(`{"position":%q,"value":%s}`, pos, v) }
	runSteps(t, l(""), false, []step{
		{ins(`["l"]`, "k", "1", 50), Applied, l(it("k", "1"))},
		{ins(`["l"]`, "V", "2", 0), Applied, l(it("V", "2") + "," + it("k", "1"))}, // clocks ignored
		{ins(`["l"]`, "V", "3", 99), Rejected, ""},                                 // existing position
		{ins(`["l"]`, "c", `{"type":"LiveObject","data":{"t":1}}`, 1), Applied, ""},
		{set(`["l","c"]`, "t", "2", 2), Applied, l(it("V", "2") + "," + it("c", obj(`"t":2`)) + "," + it("k", "1"))},
		{move(`["l"]`, "c", "z", 0), Applied, l(it("V", "2") + "," + it("k", "1") + "," + it("z", obj(`"t":2`)))},
		{set(`["l","z"]`, "t", "3", 3), Applied, ""}, // the moved child is addressed by its new position
		{set(`["l","c"]`, "t", "4", 4), Unappliable, ""},
		{move(`["l"]`, "nope", "a", 1), Unappliable, ""},
		// The client accepts a move onto a taken position (duplicates).
		{move(`["l"]`, "z", "k", 1), Applied, l(it("V", "2") + "," + it("k", obj(`"t":3`)) + "," + it("k", "1"))},
		{ldel(`["l"]`, "k", 0), Applied, l(it("V", "2") + "," + it("k", "1"))}, // first match, no clock check
		{ldel(`["l"]`, "q", 9), Rejected, ""},
	})
}

func TestApplyRemote_ListOrdering(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	d := mustDoc(t, obj(`"l":{"type":"LiveList","items":[]}`))
	var positions []string
	last := ""
	for range 300 {
		last = KeyBetween(last, "")
		positions = append(positions, last)
	}
	r.Shuffle(len(positions), func(i, j int) { positions[i], positions[j] = positions[j], positions[i] })
	for i, p := range positions {
		remote(t, d, ins(`["l"]`, p, fmt.Sprint(i), 1))
	}
	l := d.Root().(*Object).Get("l").(*List)
	for i := 1; i < l.Len(); i++ {
		if l.Position(i-1) >= l.Position(i) {
			t.Fatalf("out of order at %d", i)
		}
	}
	if l.Len() != 300 {
		t.Fatalf("len %d", l.Len())
	}
}
