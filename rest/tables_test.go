package rest

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lively-actor/lively/crdt/yjs"
)

func TestHandler_Tables_CRUD(t *testing.T) {
	h, mem := newTestHandler(t, Config{})
	c := newClient(t, h)
	base := "/workspaces/blog/tables/posts"
	c.do("GET", base, "").expect(t, 200, `{"data":[]}`)
	c.do("POST", base, `{"id":"p1","title":"Hello","tags":["a"]}`).expect(t, 200, `{"data":{"id":"p1","title":"Hello","tags":["a"]}}`)
	c.do("POST", base, `{"id":"p2","title":"Second"}`).expect(t, 200, "")
	c.do("GET", base, "").expect(t, 200, `{"data":[{"id":"p1","title":"Hello","tags":["a"]},{"id":"p2","title":"Second"}]}`)
	c.do("GET", base+"/p1", "").expect(t, 200, `{"data":{"id":"p1","title":"Hello","tags":["a"]}}`)
	c.do("PUT", base+"/p1", `{"title":"Edited","draft":false}`).expect(t, 200, `{"data":{"id":"p1","title":"Edited","tags":["a"],"draft":false}}`)
	c.do("PUT", base+"/p1", `{"id":"p1","tags":null}`).expect(t, 200, `{"data":{"id":"p1","title":"Edited","tags":null,"draft":false}}`)
	// POST replaces the whole row
	c.do("POST", base, `{"id":"p2","body":"new"}`).expect(t, 200, `{"data":{"id":"p2","body":"new"}}`)
	c.do("DELETE", base+"/p1", "").expect(t, 200, `{"data":{"id":"p1","deleted":true}}`)
	c.do("GET", base+"/p1", "").expect(t, 404, "")
	c.do("DELETE", base+"/p1", "").expect(t, 404, "")
	c.do("PUT", base+"/p1", `{"title":"x"}`).expect(t, 404, "")
	c.do("GET", base, "").expect(t, 200, `{"data":[{"id":"p2","body":"new"}]}`)
	// ids with reserved characters travel escaped
	c.do("POST", base, `{"id":"a/b c","n":1}`).expect(t, 200, "")
	c.do("GET", base+"/a%2Fb%20c", "").expect(t, 200, `{"data":{"id":"a/b c","n":1}}`)
	// other tables and workspaces are separate
	c.do("GET", "/workspaces/blog/tables/other", "").expect(t, 200, `{"data":[]}`)
	c.do("GET", "/workspaces/nope/tables/posts", "").expect(t, 200, `{"data":[]}`)

	// the document holds exactly the Epicenter entries
	state, err := mem.EncodeState("blog")
	if err != nil {
		t.Fatal(err)
	}
	doc := yjs.NewDoc()
	if err := doc.Apply(state); err != nil {
		t.Fatal(err)
	}
	arr := doc.Root("table:posts", yjs.RootArray)
	if got := arr.String(); got != `[{"key":"p2","val":{"id":"p2","body":"new"},"ts":1004},{"key":"a/b c","val":{"id":"a/b c","n":1},"ts":1005}]` {
		t.Fatalf("table:posts = %s", got)
	}
}

func TestHandler_KV(t *testing.T) {
	h, _ := newTestHandler(t, Config{})
	c := newClient(t, h)
	c.do("GET", "/workspaces/w/kv", "").expect(t, 200, `{"data":{}}`)
	c.do("PUT", "/workspaces/w/kv/theme", `"dark"`).expect(t, 200, `{"data":"dark"}`)
	c.do("PUT", "/workspaces/w/kv/layout", `{"cols":2}`).expect(t, 200, `{"data":{"cols":2}}`)
	c.do("PUT", "/workspaces/w/kv/theme", `"light"`).expect(t, 200, `{"data":"light"}`)
	c.do("GET", "/workspaces/w/kv", "").expect(t, 200, `{"data":{"layout":{"cols":2},"theme":"light"}}`)
	c.do("GET", "/workspaces/w/kv/layout", "").expect(t, 200, `{"data":{"cols":2}}`)
	c.do("GET", "/workspaces/w/kv/nope", "").expect(t, 404, "")
	c.do("PUT", "/workspaces/w/kv/x", `{nope`).expect(t, 400, "")
	c.do("DELETE", "/workspaces/w/kv/theme", "").expect(t, 200, `{"data":{"key":"theme","deleted":true}}`)
	c.do("DELETE", "/workspaces/w/kv/theme", "").expect(t, 404, "")
	c.do("GET", "/workspaces/w/kv", "").expect(t, 200, `{"data":{"layout":{"cols":2}}}`)
}

func TestHandler_Discovery(t *testing.T) {
	h, _ := newTestHandler(t, Config{Name: "blog-server", Version: "1.2.3"})
	c := newClient(t, h)
	c.do("GET", "/", "").expect(t, 200, `{"name":"blog-server","version":"1.2.3","docs":"/openapi","workspaces":[]}`)
	c.do("POST", "/workspaces/zeta/tables/t", `{"id":"1"}`).expect(t, 200, "")
	c.do("PUT", "/workspaces/alpha/kv/k", `1`).expect(t, 200, "")
	c.do("GET", "/workspaces/ghost/tables/t", "").expect(t, 200, "") // reads create nothing
	c.do("GET", "/", "").expect(t, 200, `{"name":"blog-server","version":"1.2.3","docs":"/openapi","workspaces":["alpha","zeta"]}`)

	bare, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	newClient(t, bare).do("GET", "/", "").expect(t, 200, `{"name":"lively-actor","version":"dev","docs":"/openapi","workspaces":[]}`)
	newClient(t, bare).do("GET", "/workspaces/w/tables/t", "").expect(t, 404, "")
}

// TestHandler_Errors covers every error status of the table routes.
func TestHandler_Errors(t *testing.T) {
	h, _ := newTestHandler(t, Config{MaxBodyBytes: 64})
	c := newClient(t, h)
	c.do("POST", "/workspaces/w/tables/t", `{"id":"p1","a":1}`).expect(t, 200, "")
	big := `{"id":"x","pad":"` + strings.Repeat("a", 100) + `"}`
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		msg                      string
	}{
		{"not JSON", "POST", "/workspaces/w/tables/t", `{"id":`, nil, 400, "not valid JSON"},
		{"empty body", "POST", "/workspaces/w/tables/t", ``, nil, 400, "not valid JSON"},
		{"not an object", "POST", "/workspaces/w/tables/t", `["x"]`, nil, 400, "must be a JSON object"},
		{"missing id", "POST", "/workspaces/w/tables/t", `{"title":"x"}`, nil, 400, `"id"`},
		{"numeric id", "POST", "/workspaces/w/tables/t", `{"id":7}`, nil, 400, `"id"`},
		{"empty id", "POST", "/workspaces/w/tables/t", `{"id":""}`, nil, 400, `"id"`},
		{"put not an object", "PUT", "/workspaces/w/tables/t/p1", `"x"`, nil, 400, "must be a JSON object"},
		{"put id mismatch", "PUT", "/workspaces/w/tables/t/p1", `{"id":"p2"}`, nil, 400, "does not match"},
		{"put numeric id", "PUT", "/workspaces/w/tables/t/p1", `{"id":1}`, nil, 400, "does not match"},
		{"too large", "POST", "/workspaces/w/tables/t", big, nil, 413, "larger than 64 bytes"},
		{"xml", "POST", "/workspaces/w/tables/t", `{"id":"x"}`, []string{"Content-Type: application/xml"}, 415, "must be JSON"},
		{"bad media type", "POST", "/workspaces/w/tables/t", `{"id":"x"}`, []string{"Content-Type: ;;"}, 415, "must be JSON"},
		{"unknown route", "GET", "/workspaces/w/nothing", ``, nil, 404, "no route"},
		{"too deep", "GET", "/workspaces/w/tables/t/p1/more", ``, nil, 404, "no route"},
		{"empty segment", "GET", "/workspaces//tables/t", ``, nil, 404, "no route"},
		{"missing row", "GET", "/workspaces/w/tables/t/zzz", ``, nil, 404, `row "zzz" not found in table "t"`},
		{"method", "PATCH", "/workspaces/w/tables/t/p1", `{}`, nil, 405, "not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := c.do(tc.method, tc.path, tc.body, tc.hdr...).expect(t, tc.status, "")
			if msg := ex.errorMessage(t); !strings.Contains(msg, tc.msg) {
				t.Fatalf("message %q does not mention %q", msg, tc.msg)
			}
			if ct := ex.resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// form-urlencoded (curl -d without -H) and text/plain bodies are read as JSON
	c.do("POST", "/workspaces/w/tables/t", `{"id":"f"}`, "Content-Type: application/x-www-form-urlencoded").expect(t, 200, "")
	c.do("POST", "/workspaces/w/tables/t", `{"id":"g"}`, "Content-Type: text/plain;charset=UTF-8").expect(t, 200, "")
	// a body without Content-Length (chunked) is cut at the limit too
	req := httptest.NewRequest("POST", "/workspaces/w/tables/t", strings.NewReader(big))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Fatalf("chunked oversize body: %d %s", rec.Code, rec.Body)
	}
	// the row was not touched by any failed request
	c.do("GET", "/workspaces/w/tables/t/p1", "").expect(t, 200, `{"data":{"id":"p1","a":1}}`)
}

// TestHandler_ConcurrentWritesResolveByTimestamp: REST writes to one row are serialized by the
// document owner; each takes ts = max(now, highest + 1), so the last applied wins and exactly one
// entry is left, however many writers race and even with a frozen clock.
func TestHandler_ConcurrentWritesResolveByTimestamp(t *testing.T) {
	var order []string // row bodies in the order the backend applied them
	shadow := yjs.NewDoc()
	h, mem := newTestHandler(t, Config{}, WithOnUpdate(func(ws string, u []byte) {
		if err := shadow.Apply(u); err != nil {
			t.Error(err)
		}
		r, _ := yjs.ReadRow(shadow, "posts", "p1")
		order = append(order, r.Val.String())
	}))
	const writers = 32
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/workspaces/w/tables/posts", strings.NewReader(fmt.Sprintf(`{"id":"p1","writer":%d}`, i)))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Errorf("writer %d: %d %s", i, rec.Code, rec.Body)
			}
		}()
	}
	wg.Wait()
	state, _ := mem.EncodeState("w")
	doc := yjs.NewDoc()
	if err := doc.Apply(state); err != nil {
		t.Fatal(err)
	}
	if n := doc.ArrayLen("table:posts"); n != 1 {
		t.Fatalf("%d entries left, want 1", n)
	}
	r, _ := yjs.ReadRow(doc, "posts", "p1")
	if r.TS != 1000+writers-1 {
		t.Fatalf("final ts %v, want %d", r.TS, 1000+writers-1)
	}
	if len(order) != writers || r.Val.String() != order[writers-1] {
		t.Fatalf("final row %v, want the last applied %v", r.Val, order[len(order)-1])
	}
}

// TestHandler_ClientWritesRaceRESTWrites: a client that edits the row offline and syncs later
// wins or loses by ts alone, like Epicenter's YKeyValueLww, and ties go to the rightmost entry.
func TestHandler_ClientWritesRaceRESTWrites(t *testing.T) {
	row := func(js string) yjs.Any {
		v, err := yjs.ParseJSON([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name     string
		clientTS int64
		want     string
	}{
		{"client clock ahead wins although it syncs last", 5000, "client"},
		{"client clock behind loses although it syncs last", 500, "rest"},
		{"tie goes to the rightmost entry", 1001, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, mem := newTestHandler(t, Config{})
			c := newClient(t, h)
			c.do("POST", "/workspaces/w/tables/posts", `{"id":"p1","by":"seed"}`).expect(t, 200, "") // ts 1000
			// the client loads the document, then goes offline
			state, _ := mem.EncodeState("w")
			client := yjs.NewDoc()
			if err := client.Apply(state); err != nil {
				t.Fatal(err)
			}
			offline, _, err := yjs.UpsertRow(client, 77, "posts", "p1", row(`{"id":"p1","by":"client"}`), tc.clientTS)
			if err != nil {
				t.Fatal(err)
			}
			c.do("PUT", "/workspaces/w/tables/posts/p1", `{"by":"rest"}`).expect(t, 200, "") // ts 1001
			if err := mem.ApplyUpdate("w", offline); err != nil {
				t.Fatal(err)
			}
			ex := c.do("GET", "/workspaces/w/tables/posts/p1", "").expect(t, 200, "")
			want := tc.want
			if want == "" { // both at ts 1001: whichever entry yjs placed to the right
				state, _ := mem.EncodeState("w")
				doc := yjs.NewDoc()
				_ = doc.Apply(state)
				arr := doc.Root("table:posts", yjs.RootArray).Items
				if len(arr) != 2 {
					t.Fatalf("want both tied entries, have %v", arr)
				}
				last, _ := arr[1].Get("val")
				by, _ := last.Get("by")
				want = by.Str
			}
			if !jsonEqual(t, ex.body, []byte(`{"data":{"id":"p1","by":"`+want+`"}}`)) {
				t.Fatalf("row %s, want by %q", ex.body, want)
			}
			// the client, once it gets the server's state, reads the same
			state, _ = mem.EncodeState("w")
			if err := client.Apply(state); err != nil {
				t.Fatal(err)
			}
			r, _ := yjs.ReadRow(client, "posts", "p1")
			if by, _ := r.Val.Get("by"); by.Str != want {
				t.Fatalf("client reads %v, server %s", r.Val, want)
			}
			// a REST write made after the sync beats every earlier entry
			c.do("POST", "/workspaces/w/tables/posts", `{"id":"p1","by":"later"}`).expect(t, 200, "")
			c.do("GET", "/workspaces/w/tables/posts/p1", "").expect(t, 200, `{"data":{"id":"p1","by":"later"}}`)
		})
	}
}
