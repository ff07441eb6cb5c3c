package rest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestHandler_MethodNotAllowed(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	c := newClient(t, h)
	for path, allow := range map[string]string{
		"/workspaces/w/tables/t":    "GET, HEAD, OPTIONS, POST",
		"/workspaces/w/tables/t/id": "DELETE, GET, HEAD, OPTIONS, PUT",
		"/workspaces/w/kv":          "GET, HEAD, OPTIONS",
		"/workspaces/w/kv/k":        "DELETE, GET, HEAD, OPTIONS, PUT",
		"/":                         "GET, HEAD, OPTIONS",
		"/openapi/json":             "GET, HEAD, OPTIONS",
	} {
		ex := c.do("PATCH", path, "").expect(t, 405, "")
		if got := ex.resp.Header.Get("Allow"); got != allow {
			t.Errorf("%s: Allow %q, want %q", path, got, allow)
		}
		ex = c.do("OPTIONS", path, "").expect(t, 204, "")
		if got := ex.resp.Header.Get("Allow"); got != allow {
			t.Errorf("OPTIONS %s: Allow %q, want %q", path, got, allow)
		}
	}
	// HEAD is GET without a body
	c.do("POST", "/workspaces/w/tables/t", `{"id":"1"}`).expect(t, 200, "")
	req := httptest.NewRequest("HEAD", "/workspaces/w/tables/t/1", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") == "" {
		t.Fatalf("HEAD: %d %v", rec.Code, rec.Header())
	}
	// trailing slash
	c.do("GET", "/workspaces/w/tables/t/", "").expect(t, 200, `{"data":[{"id":"1"}]}`)
}

func TestHandler_Owns(t *testing.T) {
	h, _ := newTestHandler(t, Config{Admin: newFakeAdmin(t), AdminToken: testAdminToken})
	for path, want := range map[string]bool{
		"/": true, "/openapi": true, "/openapi/json": true,
		"/workspaces/w/tables/t": true, "/workspaces/w/tables/t/1": true, "/workspaces/w/kv": true,
		"/workspaces/w/kv/k": true, "/admin/rooms": true, "/admin/rooms/r/storage": true,
		"/workspaces/w/sync": false, "/yjs/w": false, "/rooms/r": false, "/health": false, "/openapi/x": false,
	} {
		if got := h.Owns(httptest.NewRequest("GET", path, nil)); got != want {
			t.Errorf("Owns(%s) = %v, want %v", path, got, want)
		}
	}
	bare, _ := newTestHandler(t, Config{})
	if bare.Owns(httptest.NewRequest("GET", "/admin/rooms", nil)) {
		t.Error("admin routes owned without an admin token")
	}
}

func TestHandler_Auth(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	auth := func(r *http.Request, ws string) error {
		mu.Lock()
		seen = append(seen, ws)
		mu.Unlock()
		switch r.Header.Get("Authorization") {
		case "Bearer good":
			return nil
		case "Bearer reader":
			if r.Method != http.MethodGet {
				return fmt.Errorf("%w: read-only token", ErrForbidden)
			}
			return nil
		default:
			return fmt.Errorf("%w: no valid token", ErrUnauthorized)
		}
	}
	h, _ := newTestHandler(t, Config{Auth: auth, Admin: newFakeAdmin(t), AdminToken: testAdminToken})
	c := newClient(t, h)
	ex := c.do("GET", "/workspaces/w/tables/t", "").expect(t, 401, "")
	if ex.resp.Header.Get("WWW-Authenticate") == "" || ex.errorMessage(t) != "unauthorized: no valid token" {
		t.Fatalf("401 without challenge or message: %v %s", ex.resp.Header, ex.body)
	}
	c.do("GET", "/", "").expect(t, 401, "")
	c.do("GET", "/workspaces/w/tables/t", "", "Authorization: Bearer good").expect(t, 200, "")
	c.do("GET", "/workspaces/w/kv", "", "Authorization: Bearer reader").expect(t, 200, "")
	ex = c.do("POST", "/workspaces/w/tables/t", `{"id":"1"}`, "Authorization: Bearer reader").expect(t, 403, "")
	if msg := ex.errorMessage(t); msg != "forbidden: read-only token" {
		t.Fatalf("403 message %q", msg)
	}
	c.do("PUT", "/workspaces/w/kv/k", `1`, "Authorization: Bearer reader").expect(t, 403, "")
	// the admin token passes the hook; the docs need nothing
	c.do("POST", "/workspaces/w2/tables/t", `{"id":"1"}`, "Authorization: Bearer "+testAdminToken).expect(t, 200, "")
	c.do("GET", "/openapi/json", "").expect(t, 200, "")
	c.do("GET", "/openapi", "").expect(t, 200, "")
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, ","); got != "w,,w,w,w,w" {
		t.Fatalf("Auth saw workspaces %q", got)
	}
}

func TestHandler_BackendErrors(t *testing.T) {
	cases := []struct {
		err    error
		status int
		msg    string
	}{
		{fmt.Errorf("%w: workspace %q", ErrNotFound, "w"), 404, `not found: workspace "w"`},
		{fmt.Errorf("%w: too many rooms", ErrUnavailable), 503, "Service Unavailable"},
		{context.DeadlineExceeded, 503, "Service Unavailable"},
		{fmt.Errorf("%w: nope", ErrConflict), 409, "conflict: nope"},
		{errBoom, 500, "Internal Server Error"},
	}
	for _, tc := range cases {
		t.Run(tc.err.Error(), func(t *testing.T) {
			h, err := New(Config{Tables: errBackend{tc.err}})
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, h)
			for _, path := range []string{"/", "/workspaces/w/tables/t", "/workspaces/w/tables/t/1", "/workspaces/w/kv"} {
				ex := c.do("GET", path, "").expect(t, tc.status, "")
				if msg := ex.errorMessage(t); msg != tc.msg {
					t.Fatalf("%s: message %q, want %q", path, msg, tc.msg)
				}
			}
		})
	}
}
