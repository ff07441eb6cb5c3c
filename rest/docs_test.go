package rest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestDocs_RendersEveryOperationOffline(t *testing.T) {
	cfg := fullConfig(t)
	cfg.Name = `Blog <script>alert(1)</script>`
	h, _ := newTestHandler(t, cfg)
	ex := newClient(t, h).do("GET", "/openapi", "").expect(t, 200, "")
	page := string(ex.body)
	if ct := ex.resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	if csp := ex.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
	// every operation of the document is on the page
	var doc oaDocument
	if err := json.Unmarshal(h.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			n++
			if !strings.Contains(page, `id="op-`+op.OperationID+`"`) {
				t.Errorf("no section for %s %s (%s)", method, path, op.OperationID)
			}
			if !strings.Contains(page, "<code>"+strings.ReplaceAll(path, "&", "&amp;")+"</code>") {
				t.Errorf("path %s not shown", path)
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d operations in the document", n)
	}
	for name := range doc.Components.Schemas {
		if !strings.Contains(page, `id="schema-`+name+`"`) {
			t.Errorf("schema %s not shown", name)
		}
	}
	// schema references link inside the page
	if !strings.Contains(page, `<a href="#schema-Row">#/components/schemas/Row</a>`) {
		t.Error("$ref links missing")
	}
	// offline: nothing is loaded from anywhere, no link leaves the server
	for _, bad := range []string{"<script", "<link", "<iframe", "<img", "@import", "url(", "http://", "https://"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`(?i)(?:href|src|action)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if u := m[1]; !(strings.HasPrefix(u, "#") || (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"))) {
			t.Errorf("reference to %q", u)
		}
	}
	if !strings.Contains(page, "Blog &lt;script&gt;") {
		t.Error("the name is not escaped")
	}
	// HEAD works too
	newClient(t, h).do("HEAD", "/openapi", "").expect(t, 200, "")
}
