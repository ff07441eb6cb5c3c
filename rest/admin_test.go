package rest

import (
	"strings"
	"testing"
)

func TestAdmin_Routes(t *testing.T) {
	fa := newFakeAdmin(t)
	h, _ := newTestHandler(t, Config{Admin: fa, AdminToken: testAdminToken})
	c := newClient(t, h)
	auth := "Authorization: Bearer " + testAdminToken
	c.do("GET", "/admin/rooms", "", auth).expect(t, 200, `{"data":[
		{"id":"empty","size":0,"users":[]},
		{"id":"lobby","size":2,"users":[
			{"connectionId":1,"userId":"alice","displayName":"Alice","color":"#ef4444","connectedAt":10,"onlineStatus":"online","lastActiveAt":10,"isIdle":false},
			{"connectionId":2,"userId":"bob","displayName":"Bob","color":"#8b5cf6","connectedAt":11,"onlineStatus":"away","lastActiveAt":12,"isIdle":true,"location":{"page":"/"}}]}]}`)
	c.do("GET", "/admin/rooms/lobby/users", "", auth).expect(t, 200, "")
	c.do("GET", "/admin/rooms/empty/users", "", auth).expect(t, 200, `{"data":[]}`)
	ex := c.do("GET", "/admin/rooms/nope/users", "", auth).expect(t, 404, "")
	if msg := ex.errorMessage(t); msg != `room "nope" not found` {
		t.Fatalf("message %q", msg)
	}

	c.do("POST", "/admin/rooms/lobby/broadcast", `{"type":"notice","text":"hi"}`, auth).expect(t, 200, `{"data":{"room":"lobby","sent":true}}`)
	c.do("POST", "/admin/rooms/lobby/broadcast?exclude=1,%202", `"x"`, auth).expect(t, 200, "")
	c.do("POST", "/admin/rooms/lobby/broadcast?exclude=me", `"x"`, auth).expect(t, 400, "")
	c.do("POST", "/admin/rooms/lobby/broadcast", `not json`, auth).expect(t, 400, "")
	c.do("POST", "/admin/rooms/nope/broadcast", `1`, auth).expect(t, 404, "")
	if got := strings.Join(fa.broadcasts, "|"); got != `lobby {"type":"notice","text":"hi"} exclude=[]|lobby "x" exclude=[1 2]` {
		t.Fatalf("broadcasts %q", got)
	}

	c.do("PUT", "/admin/rooms/lobby/state/phase", `{"n":1}`, auth).expect(t, 200, `{"data":{"key":"phase","accepted":true}}`)
	c.do("PUT", "/admin/rooms/lobby/state/locked", `1`, auth).expect(t, 200, `{"data":{"key":"locked","accepted":false}}`)
	c.do("PUT", "/admin/rooms/lobby/state/x", `{`, auth).expect(t, 400, "")
	c.do("PUT", "/admin/rooms/nope/state/x", `1`, auth).expect(t, 404, "")
	if fa.state["lobby/phase"] != `{"n":1}` {
		t.Fatalf("state %v", fa.state)
	}

	c.do("GET", "/admin/rooms/lobby/storage", "", auth).expect(t, 200,
		`{"data":{"type":"LiveObject","data":{"todos":{"type":"LiveList","items":[]},"settings":{"type":"LiveMap","entries":{}}}}}`)
	c.do("GET", "/admin/rooms/empty/storage", "", auth).expect(t, 200, `{"data":null}`)
	c.do("GET", "/admin/rooms/nope/storage", "", auth).expect(t, 404, "")

	ops := `{"ops":[
		{"op":"set","path":[],"key":"title","value":"Board"},
		{"op":"push","path":["todos"],"value":{"type":"LiveObject","data":{"text":"milk"}}},
		{"op":"push","path":["todos"],"value":"eggs"},
		{"op":"insert","path":["todos"],"index":0,"value":"first"},
		{"op":"move","path":["todos"],"from":0,"to":2},
		{"op":"set","path":["todos","0"],"key":"done","value":true},
		{"op":"remove","path":["todos"],"index":1},
		{"op":"set","path":["settings"],"key":"theme","value":"dark"},
		{"op":"set","path":["settings"],"key":"gone","value":1},
		{"op":"delete","path":["settings"],"key":"gone"}]}`
	c.do("POST", "/admin/rooms/lobby/storage", ops, auth).expect(t, 200, `{"data":{"applied":10}}`)
	ex = c.do("GET", "/admin/rooms/lobby/storage", "", auth).expect(t, 200, "")
	for _, want := range []string{`"title":"Board"`, `"text":"milk"`, `"done":true`, `"theme":"dark"`, `"first"`} {
		if !strings.Contains(string(ex.body), want) {
			t.Fatalf("storage %s lacks %s", ex.body, want)
		}
	}
	if strings.Contains(string(ex.body), "gone") || strings.Contains(string(ex.body), "eggs") {
		t.Fatalf("storage %s kept removed values", ex.body)
	}
	// a failing op rolls the whole batch back
	before := string(ex.body)
	ex = c.do("POST", "/admin/rooms/lobby/storage", `{"ops":[{"op":"set","path":[],"key":"a","value":1},{"op":"push","path":["title"],"value":1}]}`, auth).expect(t, 400, "")
	if msg := ex.errorMessage(t); !strings.Contains(msg, "ops[1]") {
		t.Fatalf("message %q does not name the op", msg)
	}
	c.do("GET", "/admin/rooms/lobby/storage", "", auth).expect(t, 200, before)
	c.do("POST", "/admin/rooms/lobby/storage", `{"ops":[{"op":"fly","path":[]}]}`, auth).expect(t, 400, "")
	c.do("POST", "/admin/rooms/empty/storage", `{"ops":[]}`, auth).expect(t, 409, "")
	c.do("POST", "/admin/rooms/nope/storage", `{"ops":[]}`, auth).expect(t, 404, "")
}

func TestAdmin_RejectsMissingOrWrongTokens(t *testing.T) {
	h, _ := newTestHandler(t, Config{Admin: newFakeAdmin(t), AdminToken: testAdminToken})
	c := newClient(t, h)
	routes := []struct{ method, path, body string }{
		{"GET", "/admin/rooms", ""},
		{"GET", "/admin/rooms/lobby/users", ""},
		{"POST", "/admin/rooms/lobby/broadcast", `1`},
		{"PUT", "/admin/rooms/lobby/state/k", `1`},
		{"GET", "/admin/rooms/lobby/storage", ""},
		{"POST", "/admin/rooms/lobby/storage", `{"ops":[]}`},
	}
	for _, rt := range routes {
		for _, hdr := range [][]string{nil, {"Authorization: Bearer wrong"}, {"Authorization: " + testAdminToken},
			{"Authorization: Basic " + testAdminToken}, {"Authorization: Bearer " + testAdminToken + "x"}} {
			ex := c.do(rt.method, rt.path, rt.body, hdr...).expect(t, 401, "")
			if ex.resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%s %s: no WWW-Authenticate", rt.method, rt.path)
			}
		}
		c.do(rt.method, rt.path, rt.body, "authorization: bearer "+testAdminToken).expect(t, 200, "")
	}
	// disabled: no token configured, or no backend
	for _, cfg := range []Config{{Admin: newFakeAdmin(t)}, {AdminToken: testAdminToken}} {
		off, _ := newTestHandler(t, cfg)
		oc := newClient(t, off)
		for _, rt := range routes {
			oc.do(rt.method, rt.path, rt.body, "Authorization: Bearer "+testAdminToken).expect(t, 404, "")
		}
	}
}
