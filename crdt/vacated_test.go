package crdt

import (
	"fmt"
	"testing"
)

func TestList_VacatedPositions(t *testing.T) {
	l := obj(`"l":{"type":"LiveList","items":[{"position":"V","value":1},{"position":"k","value":2}]}`)
	runSteps(t, l, true, []step{
		{move(`["l"]`, "k", "F", 1), Applied, ""},
		{ins(`["l"]`, "k", "9", 1), Unappliable, ""}, // emptied by the move
		{ldel(`["l"]`, "V", 1), Applied, ""},
		{move(`["l"]`, "F", "V", 1), Unappliable, ""}, // emptied by the delete
		{ins(`["l"]`, "s", "3", 1), Applied, ""},
	})
	// A client applies them as the reference does.
	runSteps(t, l, false, []step{
		{move(`["l"]`, "k", "F", 1), Applied, ""},
		{ins(`["l"]`, "k", "9", 1), Applied, ""},
	})
	// Only the last maxVacated positions are remembered.
	d := mustDoc(t, obj(`"l":{"type":"LiveList","items":[]}`))
	for i := range maxVacated + 10 {
		p := fmt.Sprintf("p%05d", i)
		sequence(t, d, ins(`["l"]`, p, "1", 1))
		sequence(t, d, ldel(`["l"]`, p, 1))
	}
	if r := sequence(t, d, ins(`["l"]`, "p00005", "1", 1)); r != Applied {
		t.Errorf("evicted position: %v", r)
	}
	if r := sequence(t, d, ins(`["l"]`, fmt.Sprintf("p%05d", maxVacated+5), "1", 1)); r != Unappliable {
		t.Errorf("recent position: %v", r)
	}
	// Local deletes and moves on the server's document count too.
	d = mustDoc(t, l)
	mutate(t, d, func(root *Object) error { return root.Get("l").(*List).Delete(1) })
	if r := sequence(t, d, ins(`["l"]`, "k", "1", 1)); r != Unappliable {
		t.Errorf("position emptied by Mutate: %v", r)
	}
}
