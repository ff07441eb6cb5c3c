package lively_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/internal/ywstest"
	"github.com/lively-actor/lively/store"
)

func httpDo(t *testing.T, method, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(bytes.TrimSpace(b))
}

// TestREST_TablesLiveWithYWebsocket is the Epicenter workflow: a row written
// over REST appears in a stock y-websocket client, the client's edit is read
// back over REST at once, deletes go both ways.
func TestREST_TablesLiveWithYWebsocket(t *testing.T) {
	ywstest.SkipIfUnavailable(t)
	ts := newTestServer(t, lively.Config{})
	base := ts.http() + "/workspaces/ws1/tables/posts"
	y := ywstest.Start(t, ts.url+"/workspaces/ws1", "sync", ywstest.WithTypes(map[string]string{"table:posts": "array"}))
	y.WaitSynced(ywait)

	if code, body := httpDo(t, "POST", base, `{"id":"p1","title":"Hello <world>","n":1}`); code != 200 || !strings.Contains(body, `"title":"Hello <world>"`) {
		t.Fatalf("POST %d %s", code, body)
	}
	y.WaitState(func(s map[string]any) bool {
		b, _ := json.Marshal(s["table:posts"])
		return strings.Contains(string(b), `"key":"p1"`) && strings.Contains(string(b), "Hello")
	}, ywait)

	// the client writes a row the Epicenter way: {key, val, ts}
	y.ArrayPush("table:posts", map[string]any{"key": "p2", "val": map[string]any{"id": "p2", "title": "from client"}, "ts": time.Now().UnixMilli() + 1000})
	checkFor(t, ywait, func() error {
		code, body := httpDo(t, "GET", base+"/p2", "")
		if code != 200 || !strings.Contains(body, "from client") {
			return errorf("GET p2: %d %s", code, body)
		}
		return nil
	})
	if code, body := httpDo(t, "PUT", base+"/p1", `{"title":"edited"}`); code != 200 || !strings.Contains(body, `"title":"edited"`) || !strings.Contains(body, `"n":1`) {
		t.Fatalf("PUT %d %s", code, body)
	}
	if code, body := httpDo(t, "GET", base, ""); code != 200 || !strings.Contains(body, "edited") || !strings.Contains(body, "from client") {
		t.Fatalf("list %d %s", code, body)
	}
	if code, body := httpDo(t, "DELETE", base+"/p2", ""); code != 200 || body != `{"data":{"id":"p2","deleted":true}}` {
		t.Fatalf("DELETE %d %s", code, body)
	}
	y.WaitState(func(s map[string]any) bool {
		b, _ := json.Marshal(s["table:posts"])
		return !strings.Contains(string(b), "from client") && strings.Contains(string(b), "edited")
	}, ywait)
	if code, _ := httpDo(t, "GET", base+"/p2", ""); code != 404 {
		t.Fatalf("deleted row: %d", code)
	}
	for _, c := range []struct {
		method, url, body string
		want              int
	}{
		{"POST", base, `not json`, 400}, {"POST", base, `[1]`, 400}, {"POST", base, `{"title":"no id"}`, 400},
		{"POST", base, `{"id":5}`, 400}, {"PUT", base + "/p1", `{"id":"other"}`, 400}, {"PUT", base + "/nope", `{}`, 404},
		{"DELETE", base + "/nope", "", 404}, {"PATCH", base, `{}`, 405},
	} {
		if code, body := httpDo(t, c.method, c.url, c.body); code != c.want || !strings.HasPrefix(body, `{"error":{"message":`) {
			t.Errorf("%s %s %s: %d %s, want %d", c.method, c.url, c.body, code, body, c.want)
		}
	}
	if code, body := httpDo(t, "GET", ts.http()+"/", ""); code != 200 || !strings.Contains(body, `"workspaces":["ws1"]`) {
		t.Fatalf("discovery %d %s", code, body)
	}
	if code, body := httpDo(t, "GET", ts.http()+"/openapi/json", ""); code != 200 || !strings.Contains(body, `"/workspaces/{ws}/tables/{table}"`) || !strings.Contains(body, "/yjs/{docName}") {
		t.Fatalf("openapi %d %.300s", code, body)
	}
	if code, body := httpDo(t, "GET", ts.http()+"/openapi", ""); code != 200 || !strings.Contains(body, "<html") {
		t.Fatalf("docs page %d %.200s", code, body)
	}
}

func TestREST_AdminReachesLivelyClients(t *testing.T) {
	ts := newTestServer(t, lively.Config{AdminToken: "sekret"})
	c := ts.join("adm", "alice")
	c.NextOfType("storage:init")
	auth := []string{"Authorization", "Bearer sekret"}
	if code, _ := httpDo(t, "GET", ts.http()+"/admin/rooms", ""); code != 401 {
		t.Fatalf("admin without token: %d", code)
	}
	if code, body := httpDo(t, "GET", ts.http()+"/admin/rooms", "", auth...); code != 200 || !strings.Contains(body, `"id":"adm"`) {
		t.Fatalf("rooms %d %s", code, body)
	}
	if code, body := httpDo(t, "POST", ts.http()+"/admin/rooms/adm/broadcast", `{"type":"news","v":1}`, auth...); code != 200 {
		t.Fatalf("broadcast %d %s", code, body)
	}
	if m := c.NextOfType("news"); string(m.Data) != `{"type":"news","v":1}` {
		t.Fatalf("broadcast reached the client as %s", m.Data)
	}
	if code, body := httpDo(t, "PUT", ts.http()+"/admin/rooms/adm/state/mode", `"review"`, auth...); code != 200 {
		t.Fatalf("live state %d %s", code, body)
	}
	if m := c.NextOfType("state:update"); !strings.Contains(string(m.Data), `"value":"review"`) || !strings.Contains(string(m.Data), "__server__") {
		t.Fatalf("state update %s", m.Data)
	}
	if code, body := httpDo(t, "GET", ts.http()+"/admin/rooms/adm/users", "", auth...); code != 200 || !strings.Contains(body, `"userId":"alice"`) {
		t.Fatalf("users %d %s", code, body)
	}
	if code, _ := httpDo(t, "GET", ts.http()+"/admin/rooms/none/users", "", auth...); code != 404 {
		t.Fatalf("users of a missing room: %d", code)
	}
}

func TestREST_WriteSurvivesRestart(t *testing.T) {
	st, err := store.OpenSQLite(t.TempDir() + "/lively.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := lively.New(lively.Config{Store: st, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.Addr().String() + "/workspaces/w/tables/notes"
	if code, body := httpDo(t, "POST", url, `{"id":"n1","text":"kept"}`); code != 200 {
		t.Fatalf("POST %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, lively.Config{Store: st})
	if code, body := httpDo(t, "GET", ts.http()+"/workspaces/w/tables/notes/n1", ""); code != 200 || !strings.Contains(body, `"text":"kept"`) {
		t.Fatalf("after restart %d %s", code, body)
	}
}
