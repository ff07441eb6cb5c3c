package transport

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ServeStatic serves a file from dir following the reference rules
// (PROTOCOL.md B.1.11): GET and HEAD only, percent-decoded path, traversal
// outside dir refused, candidates path / path.html / path/index.html, no
// redirects. It reports whether a file was served.
func ServeStatic(w http.ResponseWriter, r *http.Request, dir string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	raw := resolveDotSegments(rawPath(r))
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return false
	}
	// %2e%2e decodes to "..": resolve again after decoding, then confine.
	base, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	resolved := filepath.Join(base, filepath.FromSlash(decoded))
	if resolved != base && !strings.HasPrefix(resolved, base+string(filepath.Separator)) {
		return false
	}
	var candidates []string
	switch {
	case strings.HasSuffix(decoded, "/"):
		candidates = []string{filepath.Join(resolved, "index.html")}
	case filepath.Ext(decoded) != "":
		candidates = []string{resolved}
	default:
		candidates = []string{resolved, resolved + ".html", filepath.Join(resolved, "index.html")}
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			continue
		}
		h := w.Header()
		h.Set("Content-Type", contentType(p))
		h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		if strings.Contains(decoded, "/_next/static/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = copyFile(w, f) // the client went away; nothing to do
		}
		f.Close()
		return true
	}
	return false
}

func copyFile(w http.ResponseWriter, f *os.File) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := f.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if err != nil {
			return n, nil
		}
	}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
	".ttf": "font/ttf", ".otf": "font/otf", ".wasm": "application/wasm", ".map": "application/json",
	".webmanifest": "application/manifest+json",
}

func contentType(p string) string {
	if ct, ok := contentTypes[strings.ToLower(filepath.Ext(p))]; ok {
		return ct
	}
	return "application/octet-stream"
}
