package lively

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lively-actor/lively/actors"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/transport"
)

// Server is a lively-actor server: an http.Handler plus the actors behind it.
type Server struct {
	cfg    Config
	logger *slog.Logger
	sys    *actors.System
	hub    *transport.Hub
	router *transport.Router
	auth   func(r *http.Request) (Identity, error)

	stopKeepalive context.CancelFunc

	mu      sync.Mutex
	httpSrv *http.Server
	ln      net.Listener
	serveWG sync.WaitGroup
	stopped bool
}

// New validates cfg and starts the actor system. The server accepts
// connections through Handler() (or Start) until Stop.
func New(cfg Config) (*Server, error) {
	if cfg.MaxMessageBytes < 0 || cfg.OutboxMaxBytes < 0 || cfg.MaxRooms < 0 || cfg.Rooms.MaxConnections < 0 {
		return nil, errors.New("lively: limits must not be negative")
	}
	if cfg.RateLimit < 0 {
		return nil, errors.New("lively: RateLimit must not be negative")
	}
	if cfg.Path == "" {
		cfg.Path = "/rooms"
	}
	if cfg.Path[0] != '/' {
		return nil, fmt.Errorf("lively: Path %q must start with /", cfg.Path)
	}
	if cfg.HealthPath == "" {
		cfg.HealthPath = "/health"
	}
	if cfg.MetricsPath == "" {
		cfg.MetricsPath = "/metrics"
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := cfg.Registerer
	var gatherer prometheus.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		reg, gatherer = r, r
	} else if g, ok := reg.(prometheus.Gatherer); ok {
		gatherer = g
	}
	s := &Server{cfg: cfg, logger: logger}
	switch {
	case cfg.Authenticate != nil:
		s.auth = cfg.Authenticate
	case len(cfg.JWTSecret) > 0:
		s.auth = JWTAuthenticator(cfg.JWTSecret)
	}
	tm := transport.NewMetrics(reg)
	s.hub = transport.NewHub(transport.Options{
		MaxMessageBytes: cfg.MaxMessageBytes, OutboxMaxBytes: cfg.OutboxMaxBytes, WriteTimeout: cfg.WriteTimeout,
		GoroutineReaders: cfg.GoroutineReaders,
	}, tm)
	s.sys = actors.NewSystem(actors.Config{
		Rooms: cfg.Rooms, MaxRooms: cfg.MaxRooms, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		Hooks: actors.Hooks{OnJoin: cfg.OnJoin, OnLeave: cfg.OnLeave, OnMessage: cfg.OnMessage,
			OnStorageChange: cfg.OnStorageChange, InitialStorage: cfg.InitialStorage,
			OnYjsChange: cfg.OnYjsChange, InitialYjs: cfg.InitialYjs},
		Handlers: cfg.Handlers, Logger: logger, Metrics: actors.NewMetrics(reg),
		Store: cfg.Store, FlushInterval: cfg.FlushInterval, SnapshotEvery: cfg.SnapshotEvery,
	})
	routes := map[string]http.Handler{}
	if gatherer != nil && cfg.MetricsPath != "-" {
		routes[cfg.MetricsPath] = promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{})
	}
	s.router = &transport.Router{
		Path: cfg.Path, HealthPath: cfg.HealthPath, StaticDir: cfg.StaticDir, Routes: routes, Fallback: cfg.Fallback,
		Admitter: (*admitter)(s), Hub: s.hub, MaxRoomIDBytes: cfg.MaxRoomIDBytes, Logger: logger, Metrics: tm,
		YjsKeepalive: true,
	}
	api, err := s.newAPI(&cfg)
	if err != nil {
		return nil, err
	}
	s.router.API, s.router.IsAPI = api, isAPIPath
	ping := cfg.PingInterval
	if ping <= 0 {
		ping = 30 * time.Second
	}
	kctx, cancel := context.WithCancel(context.Background())
	s.stopKeepalive = cancel
	s.serveWG.Add(1)
	go func() { // owned by the server; ends at Stop
		defer s.serveWG.Done()
		s.hub.RunKeepalive(kctx, ping)
	}()
	return s, nil
}

// Handler is the server's HTTP handler: health, metrics, WebSocket routes,
// static files, then Config.Fallback or 426.
func (s *Server) Handler() http.Handler { return s.router }

// Start listens on addr (":1999"; "127.0.0.1:0" picks a port) and serves in
// the background until Stop. It returns once the listener is open.
func (s *Server) Start(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("lively: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.httpSrv != nil {
		ln.Close()
		return errors.New("lively: server already started or stopped")
	}
	s.ln = ln
	s.httpSrv = &http.Server{Handler: s.router, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address after Start (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Stop shuts down gracefully: new upgrades are refused, the listener closes,
// every room stops and closes its clients with 1001, and Stop returns once
// every connection goroutine has exited (or ctx is done).
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	srv := s.httpSrv
	s.mu.Unlock()

	s.router.Drain()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.sys.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := s.hub.Shutdown(ctx, transport.ReasonShutdown); err != nil {
		errs = append(errs, err)
	}
	s.stopKeepalive()
	s.serveWG.Wait()
	return errors.Join(errs...)
}

// BroadcastToRoom sends data (a JSON text message, as is) to every
// connection of the room except the excluded connection ids. It returns
// false if the room does not exist.
func (s *Server) BroadcastToRoom(roomID string, data []byte, excludeConnIDs ...uint64) bool {
	return s.sys.Broadcast(roomID, data, excludeConnIDs...)
}

// SetLiveState sets a live-state key as userId "__server__" with timestamp
// now and broadcasts it. value is marshalled to JSON (json.RawMessage is
// used as is). It returns whether the value was accepted (a client may hold
// the key with a future timestamp); the error is non-nil if the room does
// not exist or value cannot be marshalled.
func (s *Server) SetLiveState(roomID, key string, value any) (bool, error) {
	raw, err := marshalNoEscape(value)
	if err != nil {
		return false, err
	}
	return s.sys.SetLiveState(roomID, key, raw)
}

// RoomUsers returns the presence entries of a room (nil if it does not exist).
func (s *Server) RoomUsers(roomID string) []User { return s.sys.RoomUsers(roomID) }

// MutateStorage runs fn on the room's actor against the storage root (a
// LiveObject) and broadcasts the ops it emitted as one storage:ops message;
// OnStorageChange sees them too. It fails if the room does not exist, its
// storage is not initialized (actors.ErrNoStorage), the root is not a
// LiveObject, or fn fails. fn runs on the room's goroutine: keep it short.
func (s *Server) MutateStorage(ctx context.Context, roomID string, fn func(root *crdt.Object) error) error {
	return s.sys.MutateStorage(ctx, roomID, fn)
}

// StorageSnapshot returns the room's storage root as JSON (nil when the
// storage is not initialized); an error if the room does not exist.
func (s *Server) StorageSnapshot(roomID string) (json.RawMessage, error) {
	return s.sys.StorageSnapshot(roomID)
}

// Rooms lists the live rooms with their sizes and users.
func (s *Server) Rooms() []RoomInfo { return s.sys.Rooms() }

func marshalNoEscape(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return nil, errors.New("lively: invalid JSON value")
		}
		return raw, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// admitter connects transport upgrades to the actors: authentication, then a
// reserved place in the room.
type admitter Server

func (a *admitter) Admit(req *transport.RoomRequest) (transport.Admission, error) {
	s := (*Server)(a)
	yws := req.Endpoint != transport.EndpointLively
	id := queryIdentity(req.Request)
	if s.auth != nil {
		var err error
		if id, err = s.auth(req.Request); err != nil {
			return nil, &transport.StatusError{Status: http.StatusUnauthorized, Reason: err.Error(), WSCode: 4401}
		}
	}
	adm, err := s.sys.Admit(req.RoomID, id, yws)
	switch {
	case err == nil:
		return adm, nil
	case errors.Is(err, actors.ErrRoomFull):
		// 1013 "try again later": a full room may have room later.
		return nil, &transport.StatusError{Status: http.StatusServiceUnavailable, Reason: "room full", WSCode: 1013}
	case errors.Is(err, actors.ErrTooManyRooms):
		return nil, &transport.StatusError{Status: http.StatusServiceUnavailable, Reason: "too many rooms", WSCode: 1013}
	default:
		return nil, &transport.StatusError{Status: http.StatusServiceUnavailable, Reason: err.Error(), WSCode: 1013}
	}
}
