package roomscli

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lively-actor/lively/store"
)

func TestImport(t *testing.T) {
	f := newFixture(t)
	f.dir = t.TempDir()
	rooms := filepath.Join(f.dir, "rooms")
	if err := os.Mkdir(rooms, 0o755); err != nil {
		t.Fatal(err)
	}
	f.run("", "import", f.dir)

	files := map[string]string{
		"my-room.json": "{\n  \"root\": {\n    \"type\": \"LiveObject\",\n    \"data\": {\n      \"n\": 1\n    }\n  },\n" +
			"  \"updatedAt\": " + itoa(testNow.Add(-2*time.Hour).UnixMilli()) + "\n}",
		"ns_room_v2.json": `{"root":{"type":"LiveMap","entries":{}},"updatedAt":` + itoa(testNow.Add(-time.Minute).UnixMilli()) + `}`,
		"ns_room_v2.yjs":  "\x00\x00",
		"doc.yjs":         "\x01\x02\x03",
		"broken.json":     `{"root": `,
	}
	for name, content := range files {
		p := filepath.Join(rooms, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		at := testNow.Add(-3 * 24 * time.Hour)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	f.append("my-room", 0, store.Change{Kind: store.KindStorage, Data: []byte(`[]`)})
	_, _, code := f.run("", "import", f.dir)
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d for a partly failed import", code, ExitFailure)
	}
	f.run("", "list")
	f.run("", "inspect", "my-room")

	if err := os.Remove(filepath.Join(rooms, "broken.json")); err != nil {
		t.Fatal(err)
	}
	f.run("", "import", rooms)
	f.run("", "import", filepath.Join(f.dir, "missing"))
	f.golden("import")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
