package rest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lively-actor/lively/crdt/yjs"
)

// yjsNodeDir holds the yjs npm package used by the cross-checks (npm ci there).
const yjsNodeDir = "../crdt/yjs/testdata/node"

// TestNode_RESTRowsLoadInStockYjs: the document REST writes produce loads in the yjs npm package
// with the same content, and the rows a yjs client derives from it (highest ts, ties to the
// rightmost) are the rows REST lists.
func TestNode_RESTRowsLoadInStockYjs(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; install Node 20 and run `npm ci` in crdt/yjs/testdata/node to run the yjs cross-checks")
	}
	if _, err := os.Stat(filepath.Join(yjsNodeDir, "node_modules", "yjs", "package.json")); err != nil {
		t.Skip("crdt/yjs/testdata/node/node_modules is missing; run `npm ci` in crdt/yjs/testdata/node to run the yjs cross-checks")
	}
	h, mem := newTestHandler(t, Config{})
	c := newClient(t, h)
	base := "/workspaces/blog/tables/posts"
	c.do("POST", base, `{"id":"p1","title":"Hello","n":1.25,"tags":["a","b"],"meta":{"x":null,"10":"ten"}}`).expect(t, 200, "")
	c.do("POST", base, `{"id":"p2","title":"ünïcödé 😀 \u2028"}`).expect(t, 200, "")
	c.do("POST", base, `{"id":"p3","title":"gone"}`).expect(t, 200, "")
	c.do("PUT", base+"/p1", `{"title":"Hello again","big":12345678901234}`).expect(t, 200, "")
	c.do("DELETE", base+"/p3", "").expect(t, 200, "")
	c.do("PUT", "/workspaces/blog/kv/theme", `{"mode":"dark"}`).expect(t, 200, "")
	// an offline client's concurrent entry for p2 with a later clock
	state, _ := mem.EncodeState("blog")
	client := yjs.NewDoc()
	if err := client.Apply(state); err != nil {
		t.Fatal(err)
	}
	row, _ := yjs.ParseJSON([]byte(`{"id":"p2","title":"from a client"}`))
	u, _, err := yjs.UpsertRow(client, 99, "posts", "p2", row, 9000)
	if err != nil {
		t.Fatal(err)
	}
	c.do("PUT", base+"/p2", `{"draft":true}`).expect(t, 200, "")
	if err := mem.ApplyUpdate("blog", u); err != nil {
		t.Fatal(err)
	}
	state, _ = mem.EncodeState("blog")

	cmd := exec.Command(node, "apply-and-dump.mjs", "table:posts:array", "kv:array")
	cmd.Dir = yjsNodeDir
	cmd.Stdin = bytes.NewReader([]byte(hex.EncodeToString(state) + "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var dump struct {
		Content struct {
			Posts []struct {
				Key string  `json:"key"`
				Val any     `json:"val"`
				TS  float64 `json:"ts"`
			} `json:"table:posts"`
			KV []any `json:"kv"`
		} `json:"content"`
		PendingStructs bool `json:"pendingStructs"`
		PendingDs      bool `json:"pendingDs"`
	}
	if err := json.Unmarshal(out, &dump); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if dump.PendingStructs || dump.PendingDs {
		t.Fatal("yjs has pending structs after loading the state")
	}
	// the rows a yjs client sees (YKeyValueLww's rule) in array order of the winners
	win := map[string]int{}
	for i, e := range dump.Content.Posts {
		if w, ok := win[e.Key]; !ok || e.TS >= dump.Content.Posts[w].TS {
			win[e.Key] = i
		}
	}
	jsRows := []any{}
	for i, e := range dump.Content.Posts {
		if win[e.Key] == i {
			jsRows = append(jsRows, e.Val)
		}
	}
	ex := c.do("GET", base, "").expect(t, 200, "")
	var rest struct{ Data []any }
	if err := json.Unmarshal(ex.body, &rest); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(jsRows, rest.Data) {
		j, _ := json.Marshal(jsRows)
		t.Fatalf("yjs rows\n%s\nREST rows\n%s", j, ex.body)
	}
	if len(rest.Data) != 2 || len(dump.Content.KV) != 1 {
		t.Fatalf("rows %v kv %v", rest.Data, dump.Content.KV)
	}
	if title := rest.Data[1].(map[string]any)["title"]; title != "from a client" {
		t.Fatalf("p2 title %v: the client's later ts must win", title)
	}
}
