package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// extraRoutes are the routes a lively-actor server serves outside this handler.
func extraRoutes() []RouteDoc {
	return []RouteDoc{
		{Method: "GET", Path: "/health", Summary: "Liveness", Tag: "operations", ContentType: "text/plain"},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Tag: "operations", ContentType: "text/plain; version=0.0.4"},
		{Method: "GET", Path: "/rooms/{id}", Summary: "Lively WebSocket", Tag: "websocket", WebSocket: true, Query: []string{"token", "userId", "displayName"}},
		{Method: "GET", Path: "/yjs/{id}", Summary: "y-websocket endpoint", Tag: "websocket", WebSocket: true},
		{Method: "GET", Path: "/workspaces/{id}/sync", Summary: "Epicenter sync (y-websocket protocol)", Tag: "websocket", WebSocket: true},
	}
}

func fullConfig(t *testing.T) Config {
	return Config{
		Name: "lively-actor", Version: "1.0.0",
		Admin: newFakeAdmin(t), AdminToken: testAdminToken,
		Auth: func(r *http.Request, ws string) error {
			if r.Header.Get("Authorization") != "Bearer user-token" {
				return fmt.Errorf("%w: bad token", ErrUnauthorized)
			}
			return nil
		},
		SchemaFile: "testdata/schemas.json",
		Routes:     extraRoutes(),
	}
}

// newValidator parses and validates an OpenAPI document with libopenapi-validator.
func newValidator(t *testing.T, spec []byte) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	if doc.GetSpecInfo().SpecType != "openapi" || !strings.HasPrefix(doc.GetVersion(), "3.1") {
		t.Fatalf("spec type %q version %q", doc.GetSpecInfo().SpecType, doc.GetVersion())
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("building the model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s: %s (%s)", e.Message, e.Reason, e.HowToFix)
		}
		t.FailNow()
	}
	return v
}

func TestOpenAPI_DocumentValidates(t *testing.T) {
	configs := map[string]func() Config{
		"bare":   func() Config { return Config{} },
		"tables": func() Config { return Config{Tables: NewMemoryBackend()} },
		"full":   func() Config { c := fullConfig(t); c.Tables = NewMemoryBackend(); return c },
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			h, err := New(cfg())
			if err != nil {
				t.Fatal(err)
			}
			newValidator(t, h.OpenAPI())
			// served as is
			ex := newClient(t, h).do("GET", "/openapi/json", "").expect(t, 200, "")
			if string(ex.body) != string(h.OpenAPI()) {
				t.Fatal("GET /openapi/json differs from OpenAPI()")
			}
		})
	}
}

// TestOpenAPI_ListsEveryRoute: the document has exactly the route table, the extra routes and the
// per-table paths, each with the right method.
func TestOpenAPI_ListsEveryRoute(t *testing.T) {
	h, _ := newTestHandler(t, fullConfig(t))
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string         `json:"operationId"`
			Security    []any          `json:"security"`
			Responses   map[string]any `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(h.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, rt := range h.routes {
		want[strings.ToLower(rt.method)+" "+rt.pattern] = true
	}
	if len(h.routes) != 3+9+6 {
		t.Fatalf("%d routes in the table, want 18 (discovery+docs 3, tables+kv 9, admin 6)", len(h.routes))
	}
	for _, rd := range extraRoutes() {
		want[strings.ToLower(rd.Method)+" "+rd.Path] = true
	}
	for _, tbl := range []string{"/workspaces/{ws}/tables/posts", "/workspaces/blog/tables/authors"} {
		want["get "+tbl] = true
		want["post "+tbl] = true
		want["get "+tbl+"/{id}"] = true
		want["put "+tbl+"/{id}"] = true
		want["delete "+tbl+"/{id}"] = true
	}
	got := map[string]bool{}
	ids := map[string]bool{}
	for path, item := range doc.Paths {
		for m, op := range item {
			got[m+" "+path] = true
			if ids[op.OperationID] {
				t.Errorf("duplicate operationId %q", op.OperationID)
			}
			ids[op.OperationID] = true
			if strings.HasPrefix(path, "/admin/") && len(op.Security) == 0 {
				t.Errorf("%s %s has no security", m, path)
			}
		}
	}
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("missing %v\nextra %v", missing, extra)
	}
	if doc.Paths["/yjs/{id}"]["get"].Responses["101"] == nil {
		t.Error("WebSocket route without a 101 response")
	}
	for _, s := range []string{"Table_posts", "Table_blog_authors", "Row", "Error", "StorageOps"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("no component schema %s", s)
		}
	}
	// without admin, no admin paths
	h2, _ := newTestHandler(t, Config{})
	if strings.Contains(string(h2.OpenAPI()), "/admin/") || strings.Contains(string(h2.OpenAPI()), "adminToken") {
		t.Error("admin routes documented while disabled")
	}
}

// TestOpenAPI_ResponsesMatchTheDocument drives every route through success and error statuses
// and validates each response (and each successful request) against the generated document.
func TestOpenAPI_ResponsesMatchTheDocument(t *testing.T) {
	cfg := fullConfig(t)
	cfg.MaxBodyBytes = 256
	h, _ := newTestHandler(t, cfg)
	v := newValidator(t, h.OpenAPI())
	c := newClient(t, h)
	user := "Authorization: Bearer user-token"
	admin := "Authorization: Bearer " + testAdminToken
	steps := []struct {
		method, path, body string
		hdr                string
		status             int
	}{
		{"GET", "/", "", user, 200},
		{"GET", "/", "", "", 401},
		{"GET", "/openapi/json", "", "", 200},
		{"GET", "/openapi", "", "", 200},
		{"POST", "/workspaces/w/tables/notes", `{"id":"n1","text":"x"}`, user, 200},
		{"POST", "/workspaces/w/tables/posts", `{"id":"p1","title":"Hello"}`, user, 200},
		{"POST", "/workspaces/w/tables/posts", `{"id":"p2","title":""}`, user, 422},
		{"POST", "/workspaces/w/tables/notes", `[1]`, user, 400},
		{"POST", "/workspaces/w/tables/notes", `{"id":"n2","pad":"` + strings.Repeat("x", 300) + `"}`, user, 413},
		{"POST", "/workspaces/w/tables/notes", `{"id":"n3"}`, user + "\nContent-Type: application/xml", 415},
		{"POST", "/workspaces/w/tables/notes", `{"id":"n3"}`, "", 401},
		{"GET", "/workspaces/w/tables/notes", "", user, 200},
		{"GET", "/workspaces/w/tables/posts", "", user, 200},
		{"GET", "/workspaces/w/tables/notes/n1", "", user, 200},
		{"GET", "/workspaces/w/tables/notes/zz", "", user, 404},
		{"PUT", "/workspaces/w/tables/notes/n1", `{"text":"y"}`, user, 200},
		{"PUT", "/workspaces/w/tables/posts/p1", `{"title":7}`, user, 422},
		{"PUT", "/workspaces/w/tables/notes/zz", `{"text":"y"}`, user, 404},
		{"DELETE", "/workspaces/w/tables/notes/n1", "", user, 200},
		{"DELETE", "/workspaces/w/tables/notes/n1", "", user, 404},
		{"PUT", "/workspaces/w/kv/theme", `"dark"`, user, 200},
		{"GET", "/workspaces/w/kv", "", user, 200},
		{"GET", "/workspaces/w/kv/theme", "", user, 200},
		{"GET", "/workspaces/w/kv/none", "", user, 404},
		{"DELETE", "/workspaces/w/kv/theme", "", user, 200},
		{"GET", "/admin/rooms", "", admin, 200},
		{"GET", "/admin/rooms", "", "", 401},
		{"GET", "/admin/rooms/lobby/users", "", admin, 200},
		{"GET", "/admin/rooms/nope/users", "", admin, 404},
		{"POST", "/admin/rooms/lobby/broadcast", `{"hello":1}`, admin, 200},
		{"POST", "/admin/rooms/lobby/broadcast", `nope`, admin, 400},
		{"PUT", "/admin/rooms/lobby/state/phase", `2`, admin, 200},
		{"GET", "/admin/rooms/lobby/storage", "", admin, 200},
		{"GET", "/admin/rooms/empty/storage", "", admin, 200},
		{"POST", "/admin/rooms/lobby/storage", `{"ops":[{"op":"set","path":[],"key":"k","value":1}]}`, admin, 200},
		{"POST", "/admin/rooms/empty/storage", `{"ops":[]}`, admin, 409},
	}
	for _, s := range steps {
		var hdr []string
		if s.hdr != "" {
			hdr = strings.Split(s.hdr, "\n")
		}
		ex := c.do(s.method, s.path, s.body, hdr...).expect(t, s.status, "")
		if ok, errs := v.ValidateHttpResponse(ex.req, ex.resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s -> %d: response: %s: %s", s.method, s.path, s.status, e.Message, e.Reason)
			}
		}
		if s.status == 200 {
			if ok, errs := v.ValidateHttpRequest(ex.req); !ok {
				for _, e := range errs {
					t.Errorf("%s %s: request: %s: %s", s.method, s.path, e.Message, e.Reason)
				}
			}
		}
	}
}
