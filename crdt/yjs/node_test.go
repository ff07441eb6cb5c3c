package yjs

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// nodeDir holds package.json/package-lock.json and the scripts; CI runs `npm ci` there.
const nodeDir = "testdata/node"

// requireNode skips the test unless node is on PATH and the npm packages are installed.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; install Node 20 and run `npm ci` in crdt/yjs/testdata/node to run the yjs cross-checks")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "yjs", "package.json")); err != nil {
		t.Skip("crdt/yjs/testdata/node/node_modules is missing; run `npm ci` in crdt/yjs/testdata/node to run the yjs cross-checks")
	}
	return node
}

func runNode(t *testing.T, node, script string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

// dumpSpecs are the root types of the vector documents (see gen-vectors.mjs).
var dumpSpecs = []string{"m:map", "a:array", "t:text", "rows:map", "table:posts:array"}

type dumpResult struct {
	Content        any  `json:"content"`
	PendingStructs bool `json:"pendingStructs"`
	PendingDs      bool `json:"pendingDs"`
}

// yjsDump applies the hex updates to a fresh yjs Y.Doc and returns its canonical content.
func yjsDump(t *testing.T, node string, updates ...[]byte) dumpResult {
	t.Helper()
	var in strings.Builder
	for _, u := range updates {
		in.WriteString(hex.EncodeToString(u))
		in.WriteByte('\n')
	}
	out := runNode(t, node, "apply-and-dump.mjs", []byte(in.String()), dumpSpecs...)
	var r dumpResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("apply-and-dump output %q: %v", out, err)
	}
	return r
}

// TestNode_CompactedStateLoadsInYjs checks that the compacted state a Doc stores loads in stock
// yjs with the same content as the un-compacted update stream and as the converged replicas.
func TestNode_CompactedStateLoadsInYjs(t *testing.T) {
	node := requireNode(t)
	for name, v := range loadSeedVectors(t) {
		t.Run(name, func(t *testing.T) {
			ups := v.updatesV1(t)
			var want any
			if err := json.Unmarshal(v.FinalJSON, &want); err != nil {
				t.Fatal(err)
			}
			raw := yjsDump(t, node, ups...)
			if !reflect.DeepEqual(raw.Content, want) {
				t.Fatalf("yjs content of the raw updates differs from finalJson")
			}
			// in order, and in reverse order (everything pending until the first update arrives)
			for _, reverse := range []bool{false, true} {
				doc := NewDoc()
				for i := range ups {
					u := ups[i]
					if reverse {
						u = ups[len(ups)-1-i]
					}
					if err := doc.Apply(u); err != nil {
						t.Fatal(err)
					}
				}
				state, err := doc.EncodeStateAsUpdate(nil)
				if err != nil {
					t.Fatal(err)
				}
				got := yjsDump(t, node, state)
				if got.PendingStructs || got.PendingDs {
					t.Errorf("reverse=%v: yjs has pending structs/deletes after loading our state", reverse)
				}
				if !reflect.DeepEqual(got.Content, want) {
					g, _ := json.Marshal(got.Content)
					t.Errorf("reverse=%v: content differs\ngot  %s\nwant %s", reverse, g, v.FinalJSON)
				}
			}
		})
	}
}

// TestNode_CompactionSize makes 10k edits with deletions in yjs and compares what a Doc stores
// after applying every update with yjs's own encodeStateAsUpdate of the same edits.
func TestNode_CompactionSize(t *testing.T) {
	node := requireNode(t)
	if testing.Short() {
		t.Skip("slow")
	}
	out := runNode(t, node, "size-compare.mjs", nil, "10000")
	var r struct {
		Edits         int      `json:"edits"`
		Updates       []string `json:"updates"`
		YjsStateSize  int      `json:"yjsStateSize"`
		YjsFreshState string   `json:"yjsFreshState"`
		TextLength    int      `json:"textLength"`
		TableLength   int      `json:"tableLength"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	doc := NewDoc()
	raw := 0
	ups := make([][]byte, len(r.Updates))
	for i, h := range r.Updates {
		ups[i] = unhex(t, h)
		raw += len(ups[i])
		if err := doc.Apply(ups[i]); err != nil {
			t.Fatal(err)
		}
	}
	state, err := doc.EncodeStateAsUpdate(nil)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := MergeUpdates(ups)
	if err != nil {
		t.Fatal(err)
	}
	checkHex(t, "doc state vs yjs (same updates, fresh Y.Doc)", state, nil, r.YjsFreshState)
	t.Logf("%d edits, %d updates: sum of updates %d B, MergeUpdates (no gc) %d B, Doc state %d B, "+
		"yjs encodeStateAsUpdate (editing replica) %d B, yjs fresh doc from the same updates %d B",
		r.Edits, len(ups), raw, len(merged), len(state), r.YjsStateSize, len(r.YjsFreshState)/2)
	if len(state) >= len(merged) {
		t.Errorf("compaction did not shrink the state: %d >= %d", len(state), len(merged))
	}
	got := yjsDump(t, node, state)
	want := yjsDump(t, node, ups...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compacted content differs from the un-compacted updates")
	}
}
