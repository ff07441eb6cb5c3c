package rest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0 (1 MiB).
const DefaultMaxBodyBytes = 1 << 20

// Config configures New. The zero value serves discovery and the OpenAPI documents only.
type Config struct {
	// Name and Version appear in discovery (GET /) and the OpenAPI info. Defaults: "lively-actor"
	// and "dev".
	Name    string
	Version string

	// Tables serves /workspaces/{ws}/tables/... and /workspaces/{ws}/kv...; nil: those routes
	// do not exist (404) and discovery lists no workspaces.
	Tables TableBackend

	// Admin serves /admin/...; the admin routes exist only when Admin is set AND AdminToken is
	// not empty. Without them they answer 404 and are left out of the OpenAPI document.
	Admin AdminBackend
	// AdminToken is the bearer token of the admin API ("Authorization: Bearer <token>"). A
	// missing or wrong token is 401. A request bearing it also passes Auth on the other routes.
	AdminToken string

	// Auth, when set, authorizes discovery (ws "") and every table and KV request (ws is the
	// workspace id) before the body is read. Return nil to allow; an error wrapping ErrForbidden
	// is answered 403, any other error 401, with the error text as the message. It is typically
	// the same JWT check as WebSocket upgrades. nil: open access.
	Auth func(r *http.Request, ws string) error

	// MaxBodyBytes limits request bodies (413 beyond). 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Schemas are JSON Schemas of table rows, keyed "<table>" (every workspace) or
	// "<workspace>/<table>" (wins over "<table>"). Every write (after the shallow merge, for PUT)
	// must validate, or it is refused with 422 and the problems. They appear in the OpenAPI
	// document. Reads are not filtered.
	Schemas map[string]json.RawMessage
	// SchemaFile is a JSON file {"tables": {"<table>": <JSON Schema>, ...}} read by New, with the
	// same keys as Schemas; a key may not be in both.
	SchemaFile string

	// Routes are routes served elsewhere (health, metrics, WebSocket endpoints) that the OpenAPI
	// document and the docs page list too.
	Routes []RouteDoc

	// Logger receives 5xx errors; nil discards.
	Logger *slog.Logger
}

// RouteDoc documents a route that another handler serves.
type RouteDoc struct {
	Method      string   // "GET"
	Path        string   // "/yjs/{id}"; {name} segments become path parameters
	Summary     string   // one line
	Description string   // optional
	Tag         string   // group in the docs; default "server"
	WebSocket   bool     // a WebSocket upgrade: documented as GET with a 101 response
	ContentType string   // media type of the 200 response; default "text/plain" (ignored for WebSocket)
	Query       []string // optional string query parameters (e.g. "token", "userId")
}

// Handler serves the REST API. It is safe for concurrent use; it holds no mutable state.
type Handler struct {
	cfg      Config
	maxBody  int64
	logger   *slog.Logger
	routes   []*route
	schemas  *schemaSet
	openapi  []byte // the generated OpenAPI document
	docsHTML []byte // the rendered docs page
}

var _ http.Handler = (*Handler)(nil)

// New validates cfg, compiles the table schemas and builds the route table, the OpenAPI document
// and the docs page.
func New(cfg Config) (*Handler, error) {
	if cfg.MaxBodyBytes < 0 {
		return nil, errors.New("rest: MaxBodyBytes must not be negative")
	}
	if cfg.Name == "" {
		cfg.Name = "lively-actor"
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	h := &Handler{cfg: cfg, maxBody: cfg.MaxBodyBytes, logger: cfg.Logger}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	for i, rd := range cfg.Routes {
		if rd.Method == "" || !strings.HasPrefix(rd.Path, "/") {
			return nil, fmt.Errorf("rest: Routes[%d]: needs a Method and a Path starting with /", i)
		}
	}
	var err error
	if h.schemas, err = loadSchemas(cfg.Schemas, cfg.SchemaFile); err != nil {
		return nil, err
	}
	h.routes = h.buildRoutes()
	doc := h.buildOpenAPI()
	if h.openapi, err = marshalIndent(doc); err != nil {
		return nil, fmt.Errorf("rest: OpenAPI document: %w", err)
	}
	if h.docsHTML, err = renderDocs(doc); err != nil {
		return nil, fmt.Errorf("rest: docs page: %w", err)
	}
	return h, nil
}

// OpenAPI returns the generated OpenAPI 3.1 document (JSON) that GET /openapi/json serves.
func (h *Handler) OpenAPI() []byte { return bytes.Clone(h.openapi) }

// Owns reports whether the request's path is one of the handler's routes (whatever the method),
// so that a server can send it here and everything else (WebSocket endpoints, static files)
// elsewhere.
func (h *Handler) Owns(r *http.Request) bool {
	segs, ok := splitPath(r.URL)
	if !ok {
		return false
	}
	for _, rt := range h.routes {
		if _, ok := rt.match(segs); ok {
			return true
		}
	}
	return false
}

// ServeHTTP routes the request: 404 for unknown paths, 405 with Allow for a known path with
// another method, OPTIONS answered with Allow. HEAD is served like GET.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, ok := splitPath(r.URL)
	if !ok {
		h.writeError(w, r, errorf(http.StatusNotFound, "no route for %s", r.URL.Path))
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var allow []string
	for _, rt := range h.routes {
		params, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method == method {
			h.serve(w, r, rt, params)
			return
		}
		allow = append(allow, rt.method)
	}
	if allow == nil {
		h.writeError(w, r, errorf(http.StatusNotFound, "no route for %s", r.URL.Path))
		return
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	allow = append(allow, http.MethodOptions)
	slices.Sort(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// serve checks access, then runs the route's handler.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, rt *route, p params) {
	switch rt.access {
	case accessAdmin:
		if !h.hasAdminToken(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="admin"`)
			h.writeError(w, r, errorf(http.StatusUnauthorized, "admin API: missing or wrong bearer token"))
			return
		}
	case accessAuth:
		if h.cfg.Auth != nil && !h.hasAdminToken(r) {
			if err := h.cfg.Auth(r, p["ws"]); err != nil {
				status := http.StatusUnauthorized
				if errors.Is(err, ErrForbidden) {
					status = http.StatusForbidden
				} else {
					w.Header().Set("WWW-Authenticate", "Bearer")
				}
				h.writeError(w, r, &httpError{status: status, message: clientMessage(err)})
				return
			}
		}
	}
	rt.serve(w, r, p)
}

// hasAdminToken reports whether the request bears the admin token (constant-time compare).
func (h *Handler) hasAdminToken(r *http.Request) bool {
	if h.cfg.AdminToken == "" {
		return false
	}
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "bearer ") {
		return false
	}
	tok := strings.TrimSpace(auth[7:])
	return subtle.ConstantTimeCompare([]byte(tok), []byte(h.cfg.AdminToken)) == 1
}

// adminEnabled reports whether the admin routes exist.
func (h *Handler) adminEnabled() bool { return h.cfg.Admin != nil && h.cfg.AdminToken != "" }

// params are the values of a route's {name} segments.
type params map[string]string

// splitPath splits the escaped path into unescaped segments ("/" is no segment; one trailing
// slash is ignored). Empty segments or bad escapes match nothing.
func splitPath(u *url.URL) ([]string, bool) {
	p := u.EscapedPath()
	if p == "" || p == "/" {
		return []string{}, true
	}
	if p[0] != '/' {
		return nil, false
	}
	p = strings.TrimSuffix(p[1:], "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		v, err := url.PathUnescape(s)
		if err != nil || v == "" {
			return nil, false
		}
		segs[i] = v
	}
	return segs, true
}

// readBody reads a JSON request body within the size limit. Bodies sent as JSON, without a
// Content-Type, or with the defaults of curl -d and fetch (form-urlencoded, text/plain) are
// accepted; other media types are 415.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		ok := err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json") ||
			mt == "text/plain" || mt == "application/x-www-form-urlencoded")
		if !ok {
			return nil, errorf(http.StatusUnsupportedMediaType, "request body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	if r.ContentLength > h.maxBody {
		return nil, errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", h.maxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", h.maxBody)
		}
		return nil, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return body, nil
}

// writeData answers 200 {"data": raw}.
func (h *Handler) writeData(w http.ResponseWriter, raw []byte) {
	b := make([]byte, 0, len(raw)+10)
	b = append(b, `{"data":`...)
	b = append(b, raw...)
	b = append(b, "}\n"...)
	writeBytes(w, http.StatusOK, "application/json; charset=utf-8", b)
}

// writeValue answers 200 {"data": v} with v marshalled by encoding/json.
func (h *Handler) writeValue(w http.ResponseWriter, r *http.Request, v any) {
	raw, err := marshal(v)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeData(w, raw)
}

// writeError answers {"error":{"message":...}} with the status the error maps to.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	he := classify(err)
	if he.status >= 500 {
		h.logger.Error("rest request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	type body struct {
		Message string    `json:"message"`
		Errors  []Problem `json:"errors,omitempty"`
	}
	b, mErr := marshal(struct {
		Error body `json:"error"`
	}{body{Message: he.message, Errors: he.problems}})
	if mErr != nil { // cannot happen: strings and string slices always marshal
		b = []byte(`{"error":{"message":"internal server error"}}`)
	}
	writeBytes(w, he.status, "application/json; charset=utf-8", append(b, '\n'))
}

func writeBytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A write error means the client went away; there is nobody left to tell.
	_, _ = w.Write(b)
}

// marshal encodes v as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func marshalIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
