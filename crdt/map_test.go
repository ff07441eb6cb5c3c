package crdt

import (
	"strings"
	"testing"
)

func TestApplyRemote_LiveMapTombstones(t *testing.T) {
	m := func(entries string) string { return obj(`"m":{"type":"LiveMap","entries":{` + entries + `}}`) }
	runSteps(t, m(""), false, []step{
		{set(`["m"]`, "k", "1", 5), Applied, m(`"k":1`)},
		{set(`["m"]`, "j", "2", 1), Applied, m(`"k":1,"j":2`)},
		{set(`["m"]`, "k", "0", 5), Rejected, ""},
		{del(`["m"]`, "k", 5), Rejected, ""}, // tie loses
		{del(`["m"]`, "k", 7), Applied, m(`"j":2`)},
		// The tombstone's clock rejects older sets, even the ones newer
		// than the value it replaced.
		{set(`["m"]`, "k", "3", 6), Rejected, m(`"j":2`)},
		{set(`["m"]`, "k", "3", 7), Rejected, m(`"j":2`)},
		{del(`["m"]`, "k", 8), Applied, m(`"j":2`)}, // tombstone clock raised
		{set(`["m"]`, "k", "4", 8), Rejected, ""},
		// Revived in place: k keeps its original position before j.
		{set(`["m"]`, "k", "4", 9), Applied, m(`"k":4,"j":2`)},
		// A delete of a never-seen key leaves no tombstone.
		{del(`["m"]`, "new", 100), Rejected, ""},
		{set(`["m"]`, "new", "5", 1), Applied, m(`"k":4,"j":2,"new":5`)},
	})
	d := mustDoc(t, m(`"a":1,"b":2`))
	remote(t, d, del(`["m"]`, "a", 3))
	mm := d.Root().(*Object).Get("m").(*Map)
	if mm.Len() != 1 || strings.Join(mm.Keys(), ",") != "b" || mm.Has("a") || mm.Get("a") != nil {
		t.Errorf("tombstone visible: len %d keys %v", mm.Len(), mm.Keys())
	}
	mm.Compact()
	if r := remote(t, d, set(`["m"]`, "a", "9", 1)); r != Applied || docJSON(d) != m(`"b":2,"a":9`) {
		t.Errorf("after Compact: %v %s", r, docJSON(d))
	}
}
