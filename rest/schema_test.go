package rest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSchemas_ValidateWrites(t *testing.T) {
	h, _ := newTestHandler(t, Config{
		SchemaFile: "testdata/schemas.json",
		Schemas: map[string]json.RawMessage{
			"authors": json.RawMessage(`{"type":"object","required":["id","email"]}`),
		},
	})
	c := newClient(t, h)
	// posts: every workspace
	c.do("POST", "/workspaces/any/tables/posts", `{"id":"p1","title":"Hello"}`).expect(t, 200, "")
	ex := c.do("POST", "/workspaces/any/tables/posts", `{"id":"p2","title":"","color":"red","tags":[1]}`).expect(t, 422, "")
	var body struct {
		Error struct {
			Message string    `json:"message"`
			Errors  []Problem `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(ex.body, &body); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, p := range body.Error.Errors {
		paths[p.Path] = true
		if p.Message == "" {
			t.Errorf("problem without message: %+v", p)
		}
	}
	for _, want := range []string{"/title", "/tags/0", ""} {
		if !paths[want] {
			t.Errorf("no problem at %q: %+v", want, body.Error.Errors)
		}
	}
	if !strings.Contains(body.Error.Message, `table "posts"`) {
		t.Errorf("message %q", body.Error.Message)
	}
	// PUT validates the merged row: removing the title is refused, a valid edit passes
	c.do("PUT", "/workspaces/any/tables/posts/p1", `{"title":null}`).expect(t, 422, "")
	c.do("PUT", "/workspaces/any/tables/posts/p1", `{"published":true}`).expect(t, 200, `{"data":{"id":"p1","title":"Hello","published":true}}`)
	c.do("GET", "/workspaces/any/tables/p2", "").expect(t, 200, `{"data":[]}`)
	// workspace-specific schema wins over the generic one; other tables are free
	c.do("POST", "/workspaces/blog/tables/authors", `{"id":"a1","name":"Ann"}`).expect(t, 200, "")
	c.do("POST", "/workspaces/blog/tables/authors", `{"id":"a2","email":"x@y"}`).expect(t, 422, "")
	c.do("POST", "/workspaces/other/tables/authors", `{"id":"a2","email":"x@y"}`).expect(t, 200, "")
	c.do("POST", "/workspaces/other/tables/authors", `{"id":"a3","name":"Ann"}`).expect(t, 422, "")
	c.do("POST", "/workspaces/other/tables/free", `{"id":"f","anything":[1,{"a":null}]}`).expect(t, 200, "")
	// a failed write changes nothing
	c.do("GET", "/workspaces/any/tables/posts", "").expect(t, 200, `{"data":[{"id":"p1","title":"Hello","published":true}]}`)
}

func TestNew_RejectsBadSchemas(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]Config{
		"not JSON":        {Schemas: map[string]json.RawMessage{"t": json.RawMessage(`{`)}},
		"not an object":   {Schemas: map[string]json.RawMessage{"t": json.RawMessage(`[1]`)}},
		"bad keyword":     {Schemas: map[string]json.RawMessage{"t": json.RawMessage(`{"type":"thing"}`)}},
		"remote ref":      {Schemas: map[string]json.RawMessage{"t": json.RawMessage(`{"$ref":"https://example.com/s.json"}`)}},
		"bad key":         {Schemas: map[string]json.RawMessage{"a/b/c": json.RawMessage(`{}`)}},
		"empty key part":  {Schemas: map[string]json.RawMessage{"/t": json.RawMessage(`{}`)}},
		"missing file":    {SchemaFile: filepath.Join(dir, "nope.json")},
		"bad file":        {SchemaFile: write("bad.json", `{"posts":{}}`)},
		"duplicate":       {SchemaFile: write("dup.json", `{"tables":{"t":{}}}`), Schemas: map[string]json.RawMessage{"t": json.RawMessage(`{}`)}},
		"negative limit":  {MaxBodyBytes: -1},
		"bad extra route": {Routes: []RouteDoc{{Method: "GET", Path: "health"}}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
	if _, err := New(Config{Schemas: map[string]json.RawMessage{"t": json.RawMessage(`true`)}}); err != nil {
		t.Fatalf("boolean schema: %v", err)
	}
}
