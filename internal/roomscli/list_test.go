package roomscli

import (
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively/store"
)

func TestList(t *testing.T) {
	f := newFixture(t)
	f.run("", "list")

	f.append("solo", 3*time.Second, store.Change{Kind: store.KindStorage, Data: []byte(`[{"type":"set"}]`)})
	f.run("", "list")

	f.snapshot("ns:room.v2", 5*time.Minute, []byte(`{"type":"LiveObject","data":{}}`), []byte{0, 0})
	f.snapshot("ns_room_v2", 3*time.Hour, make([]byte, 1536), nil)
	f.append("🙂 emoji", 4*24*time.Hour, store.Change{Kind: store.KindYjs, Data: make([]byte, 3<<20)})
	f.append("日本語", 59*time.Second, store.Change{Kind: store.KindYjs, Data: []byte{1}})
	f.append("line\nbreak", 61*time.Minute, store.Change{Kind: store.KindYjs, Data: []byte{1}})
	f.snapshot("empty", 30*24*time.Hour, nil, nil)
	f.append("future", -time.Hour, store.Change{Kind: store.KindYjs, Data: []byte{1}})
	out, _, code := f.run("", "list")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	// Columns line up in terminal cells, wide characters included: the size
	// column ("N B", "N.N KB") starts where the header's "Size" does.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := textWidth(lines[0][:strings.Index(lines[0], "Size")])
	for _, l := range lines[2 : len(lines)-2] {
		unit := strings.LastIndex(l, " ")
		sizeStart := strings.LastIndex(l[:unit], " ") + 1
		if got := textWidth(l[:sizeStart]); got != want {
			t.Errorf("row %q: size column at %d, want %d", l, got, want)
		}
	}
	f.golden("list")
}
