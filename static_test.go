package lively_test

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/internal/wstest"
)

func TestStatic_ReferenceRulesAndTraversal(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "notes", "_next", "static"), 0o755))
	must(os.MkdirAll(filepath.Join(root, "docs"), 0o755))
	must(os.WriteFile(filepath.Join(root, "index.html"), []byte("home"), 0o644))
	must(os.WriteFile(filepath.Join(root, "about.html"), []byte("about"), 0o644))
	must(os.WriteFile(filepath.Join(root, "docs", "index.html"), []byte("docs"), 0o644))
	must(os.WriteFile(filepath.Join(root, "app.js"), []byte("js"), 0o644))
	must(os.WriteFile(filepath.Join(root, "data.bin"), []byte("bin"), 0o644))
	must(os.WriteFile(filepath.Join(root, "notes", "_next", "static", "c.css"), []byte("css"), 0o644))
	secret := filepath.Join(filepath.Dir(root), "secret")
	must(os.WriteFile(secret, []byte("secret"), 0o644))
	t.Cleanup(func() { os.Remove(secret) })

	ts := newTestServer(t, lively.Config{StaticDir: root})
	get := func(method, path string) (int, string, http.Header) {
		t.Helper()
		// raw request: no client-side path cleaning
		nc, err := net.Dial("tcp", ts.srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = nc.Write([]byte(method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
		resp, err := http.ReadResponse(bufioReader(nc), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := readAll(t, resp)
		return resp.StatusCode, b, resp.Header
	}
	for _, c := range []struct{ path, body, ctype string }{
		{"/", "home", "text/html; charset=utf-8"},
		{"/about", "about", "text/html; charset=utf-8"},
		{"/docs", "docs", "text/html; charset=utf-8"},
		{"/docs/", "docs", "text/html; charset=utf-8"},
		{"/app.js", "js", "text/javascript; charset=utf-8"},
		{"/data.bin", "bin", "application/octet-stream"},
	} {
		code, body, h := get("GET", c.path)
		if code != 200 || body != c.body || h.Get("Content-Type") != c.ctype || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %q %q %q", c.path, code, body, h.Get("Content-Type"), h.Get("Cache-Control"))
		}
	}
	if code, _, h := get("GET", "/notes/_next/static/c.css"); code != 200 || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("immutable cache: %d %q", code, h.Get("Cache-Control"))
	}
	if code, body, h := get("HEAD", "/app.js"); code != 200 || body != "" || h.Get("Content-Length") != "2" {
		t.Errorf("HEAD: %d %q %q", code, body, h.Get("Content-Length"))
	}
	for _, p := range []string{"/../secret", "/notes/%2e%2e%2f%2e%2e%2fsecret", "/%2e%2e/secret", "/missing", "/about.html/x"} {
		if code, body, _ := get("GET", p); code != 404 || strings.Contains(body, "secret") {
			t.Errorf("GET %s: %d %q, want 404", p, code, body)
		}
	}
	if code, body, _ := get("POST", "/about"); code != 426 || body != "Upgrade required" {
		t.Errorf("POST with staticDir: %d %q", code, body)
	}
}

func TestMsgpack_Subprotocol(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	c := wstest.Dial(t, ts.roomURL("sp", "u", "u"), "lively.msgpack")
	if m := c.Next(); !m.Binary {
		t.Fatalf("subprotocol lively.msgpack must select binary frames: %s", m.Data)
	}
}
