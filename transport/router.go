package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// Endpoint says which protocol a WebSocket route speaks.
type Endpoint uint8

// Endpoints.
const (
	EndpointLively    Endpoint = iota // {Path}/{roomId}: Lively JSON / msgpack
	EndpointYjs                       // /yjs/{docName}: y-websocket
	EndpointWorkspace                 // /workspaces/{id}/sync: y-websocket
)

// MsgpackSubprotocol selects MessagePack frames on a Lively connection.
const MsgpackSubprotocol = "lively.msgpack"

// RoomRequest is an upgrade request routed to a room.
type RoomRequest struct {
	Endpoint Endpoint
	RoomID   string // escaped, as in the path (PROTOCOL.md B.1.3)
	Request  *http.Request
}

// Admitter decides whether an upgrade may join a room: it authenticates the
// request and reserves a place. Errors of type *StatusError choose the HTTP
// status; any other error is a 500.
type Admitter interface {
	Admit(req *RoomRequest) (Admission, error)
}

// Admission is a reserved place in a room, held across the handshake.
type Admission interface {
	// Attach is called once after a successful handshake; the returned sink
	// gets the connection's frames.
	Attach(c *Conn, binary bool) FrameSink
	// Cancel is called instead of Attach when the handshake fails.
	Cancel()
}

// Router is the server's HTTP entry point: health, exact routes (metrics,
// REST), WebSocket upgrades, static files, a fallback handler, and 426 for
// everything else (PROTOCOL.md B.1.2).
type Router struct {
	Path       string // Lively rooms prefix, default "/rooms"
	HealthPath string // default "/health"
	StaticDir  string
	Routes     map[string]http.Handler // exact raw paths served before static files
	Fallback   http.Handler
	// API serves plain HTTP requests whose path IsAPI accepts (REST,
	// discovery, OpenAPI), after static files and before Fallback.
	API            http.Handler
	IsAPI          func(path string) bool
	Admitter       Admitter
	Hub            *Hub
	MaxRoomIDBytes int // default 256
	Logger         *slog.Logger
	Metrics        *Metrics
	// YjsKeepalive enables 30 s pings on y-websocket connections.
	YjsKeepalive bool
	// HandshakeTimeout bounds writing the handshake response. Default 5 s.
	HandshakeTimeout time.Duration

	draining atomic.Bool
}

// Drain makes the router refuse new upgrades (503) from now on.
func (rt *Router) Drain() { rt.draining.Store(true) }

func (rt *Router) prefix() string {
	p := rt.Path
	if p == "" {
		p = "/rooms"
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.logger().Error("http handler panic", "err", fmt.Sprint(v), "path", r.URL.Path)
			http.Error(w, "Internal server error", http.StatusInternalServerError)
		}
	}()
	if isUpgrade(r) {
		rt.serveUpgrade(w, r)
		return
	}
	raw := rawPath(r)
	health := rt.HealthPath
	if health == "" {
		health = "/health"
	}
	if r.Method == http.MethodGet && raw == health {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"status":"ok"}`)) // nothing to do if the client left
		return
	}
	if h, ok := rt.Routes[raw]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if rt.StaticDir != "" && ServeStatic(w, r, rt.StaticDir) {
		return
	}
	if rt.API != nil && rt.IsAPI != nil && rt.IsAPI(r.URL.Path) {
		rt.API.ServeHTTP(w, r)
		return
	}
	if rt.Fallback != nil {
		rt.Fallback.ServeHTTP(w, r)
		return
	}
	if rt.StaticDir != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Not found"))
		return
	}
	w.Header()["Content-Type"] = nil // the reference sends no Content-Type here
	w.WriteHeader(http.StatusUpgradeRequired)
	_, _ = w.Write([]byte("Upgrade required"))
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		headerHasToken(r.Header.Values("Connection"), "upgrade")
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// route maps an upgrade path to an endpoint and a room id. ok=false means no
// WebSocket route matches (404); an empty id means 400.
func (rt *Router) route(p string) (Endpoint, string, bool) {
	if pre := rt.prefix(); strings.HasPrefix(p, pre) {
		id := p[len(pre):]
		if i := strings.IndexByte(id, '/'); i >= 0 {
			id = id[:i]
		}
		return EndpointLively, id, true
	}
	if rest, ok := strings.CutPrefix(p, "/yjs/"); ok {
		return EndpointYjs, rest, true
	}
	if rest, ok := strings.CutPrefix(p, "/workspaces/"); ok {
		rest = strings.TrimSuffix(rest, "/")
		if id, ok := strings.CutSuffix(rest, "/sync"); ok && !strings.Contains(id, "/") {
			return EndpointWorkspace, id, true
		}
	}
	return 0, "", false
}

func (rt *Router) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	p := resolveDotSegments(rawPath(r))
	ep, id, ok := rt.route(p)
	if !ok {
		rt.reject(w, r, http.StatusNotFound, "no websocket route")
		return
	}
	max := rt.MaxRoomIDBytes
	if max <= 0 {
		max = 256
	}
	if !validRoomID(id, max) {
		rt.rejectEndpoint(w, r, ep, &StatusError{Status: http.StatusBadRequest, Reason: "invalid room id", WSCode: 4400})
		return
	}
	if rt.draining.Load() {
		rt.reject(w, r, http.StatusServiceUnavailable, "shutting down")
		return
	}
	// Cloned: a substring of the request line, which every connection of the
	// room would otherwise keep alive.
	id = strings.Clone(id)
	adm, err := rt.Admitter.Admit(&RoomRequest{Endpoint: ep, RoomID: id, Request: r})
	if err != nil {
		var se *StatusError
		if !errors.As(err, &se) {
			se = &StatusError{Status: http.StatusInternalServerError, Reason: err.Error(), WSCode: 1011}
		}
		rt.rejectEndpoint(w, r, ep, se)
		return
	}
	binary := false
	up := ws.HTTPUpgrader{Timeout: rt.handshakeTimeout()}
	if ep == EndpointLively {
		binary = r.URL.Query().Get("encoding") == "msgpack"
		up.Protocol = func(p string) bool { return p == MsgpackSubprotocol }
	}
	nc, rw, hs, err := up.Upgrade(r, w)
	if err != nil {
		adm.Cancel()
		rt.Metrics.upgrade("handshake_failed")
		rt.logger().Debug("websocket handshake failed", "room", id, "err", err)
		return
	}
	if hs.Protocol == MsgpackSubprotocol {
		binary = true
	}
	var buffered []byte
	if rw != nil && rw.Reader.Buffered() > 0 {
		buffered, _ = rw.Reader.Peek(rw.Reader.Buffered()) // Peek of Buffered() bytes cannot fail
	}
	c := rt.Hub.NewConn(nc, buffered, binary, ep != EndpointLively && rt.YjsKeepalive)
	if c == nil {
		adm.Cancel()
		_, _ = nc.Write(CloseFrame(1001, "server shutting down")) // best effort before dropping the socket
		_ = nc.Close()
		return
	}
	rt.Metrics.upgrade("101")
	sink := adm.Attach(c, binary)
	rt.Hub.Serve(c, sink)
}

func (rt *Router) handshakeTimeout() time.Duration {
	if rt.HandshakeTimeout > 0 {
		return rt.HandshakeTimeout
	}
	return 5 * time.Second
}

// rejectEndpoint rejects an upgrade the way the endpoint's clients
// understand: a bare HTTP status for Lively, a completed handshake closed
// with se.WSCode for y-websocket (when set).
func (rt *Router) rejectEndpoint(w http.ResponseWriter, r *http.Request, ep Endpoint, se *StatusError) {
	if ep == EndpointLively || se.WSCode == 0 {
		rt.reject(w, r, se.Status, se.Reason)
		return
	}
	rt.Metrics.upgrade("ws_" + strconv.Itoa(int(se.WSCode)))
	rt.logger().Info("websocket connection refused", "code", se.WSCode, "reason", se.Reason, "path", r.URL.Path)
	up := ws.HTTPUpgrader{Timeout: rt.handshakeTimeout()}
	nc, _, _, err := up.Upgrade(r, w)
	if err != nil {
		return
	}
	_ = nc.SetWriteDeadline(time.Now().Add(time.Second)) // a peer that does not read must not hold us
	_, _ = nc.Write(CloseFrame(se.WSCode, se.Reason))    // the socket is dropped right after either way
	_ = nc.Close()
}

// reject answers an upgrade with a bare status line and no headers or body,
// then drops the socket, exactly as the reference server does.
func (rt *Router) reject(w http.ResponseWriter, r *http.Request, status int, why string) {
	rt.Metrics.upgrade(strconv.Itoa(status))
	rt.logger().Info("websocket upgrade rejected", "status", status, "reason", why, "path", r.URL.Path)
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(status)
		return
	}
	nc, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = nc.SetWriteDeadline(time.Now().Add(time.Second))                              // a peer that does not read must not hold us
	_, _ = fmt.Fprintf(nc, "HTTP/1.1 %d %s\r\n\r\n", status, http.StatusText(status)) // the socket is dropped right after either way
	_ = nc.Close()
}

func (rt *Router) logger() *slog.Logger {
	if rt.Logger != nil {
		return rt.Logger
	}
	return slog.New(slog.DiscardHandler)
}
