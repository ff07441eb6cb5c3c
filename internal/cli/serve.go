package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/store"
)

// serveFlags are every flag of "serve".
type serveFlags struct {
	addr, path, healthPath, staticDir string
	maxConnections, maxMessageBytes   int
	cleanupTimeout, heartbeatTimeout  time.Duration
	heartbeatInterval, offlineRemoval time.Duration
	flushInterval, shutdownTimeout    time.Duration
	jwtSecret, logFormat, logLevel    string
	adminToken, schemaFile, debugAddr string
	maxRooms                          int
	rateLimit                         float64
	store                             storeFlags
}

func newServeFlags(stderr io.Writer) (*flag.FlagSet, *serveFlags) {
	fs := flag.NewFlagSet("lively-actor serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &serveFlags{}
	fs.StringVar(&f.addr, "addr", ":1999", `listen address ("127.0.0.1:0" picks a free port)`)
	fs.StringVar(&f.path, "path", "/rooms", "WebSocket path prefix: clients connect to {path}/{roomId}")
	fs.StringVar(&f.healthPath, "health-path", "/health", "health check path")
	fs.StringVar(&f.staticDir, "static-dir", "", "serve static files from this directory (GET/HEAD)")
	fs.IntVar(&f.maxConnections, "max-connections", 0, "maximum connections per room (0: unlimited; more get 503)")
	fs.IntVar(&f.maxRooms, "max-rooms", 0, "maximum live rooms (0: unlimited; more get 503)")
	fs.DurationVar(&f.cleanupTimeout, "cleanup-timeout", 30*time.Second, "how long an empty room keeps its state")
	fs.DurationVar(&f.heartbeatTimeout, "heartbeat-timeout", 45*time.Second, "mark a connection offline after this long without a heartbeat")
	fs.DurationVar(&f.heartbeatInterval, "heartbeat-interval", 15*time.Second, "heartbeat sweep period")
	fs.DurationVar(&f.offlineRemoval, "offline-removal", 30*time.Second, "remove a connection this long after it went offline")
	fs.StringVar(&f.jwtSecret, "jwt-secret", "", "require an HS256 JWT (token query parameter or Authorization: Bearer); sub → userId, name → displayName")
	fs.IntVar(&f.maxMessageBytes, "max-message-bytes", 1<<20, "maximum inbound message size (bigger closes with 1009)")
	fs.Float64Var(&f.rateLimit, "rate-limit", 0, "per-connection message rate limit in messages/s (0: off; over it closes with 1008)")
	fs.DurationVar(&f.flushInterval, "flush-interval", 100*time.Millisecond, "how often pending changes are written to the store")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a graceful shutdown may take")
	fs.StringVar(&f.adminToken, "admin-token", "", "enable the admin API (/admin/...) for \"Authorization: Bearer <token>\"")
	fs.StringVar(&f.schemaFile, "schema-file", "", `JSON Schemas of table rows: {"tables": {"<table>": <schema>}} (writes that fail get 422)`)
	fs.StringVar(&f.debugAddr, "debug-addr", "", `serve Go's profiler (/debug/pprof/) on this address, e.g. "127.0.0.1:6060" (off when empty; keep it private)`)
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.store.register(fs)
	return fs, f
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newServeFlags(stderr)
	if err := parse(fs, args, os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintln(stderr, "lively-actor:", err)
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lively-actor: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	logger, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "lively-actor:", err)
		return ExitUsage
	}
	cfg := lively.Config{
		Path: f.path, HealthPath: f.healthPath, StaticDir: f.staticDir,
		Rooms: lively.RoomConfig{
			CleanupTimeout: f.cleanupTimeout, MaxConnections: f.maxConnections, HeartbeatTimeout: f.heartbeatTimeout,
			HeartbeatInterval: f.heartbeatInterval, OfflineRemoval: f.offlineRemoval,
		},
		MaxRooms: f.maxRooms, MaxMessageBytes: f.maxMessageBytes, RateLimit: f.rateLimit, Logger: logger,
		AdminToken: f.adminToken, SchemaFile: f.schemaFile,
		OnJoin: func(_ context.Context, room string, u lively.User) {
			logger.Info("joined", "room", room, "user", u.UserID, "name", u.DisplayName, "conn", u.ConnectionID)
		},
		OnLeave: func(_ context.Context, room string, u lively.User) {
			logger.Info("left", "room", room, "user", u.UserID, "name", u.DisplayName, "conn", u.ConnectionID)
		},
	}
	if f.jwtSecret != "" {
		cfg.JWTSecret = []byte(f.jwtSecret)
	}
	for name, d := range map[string]time.Duration{"cleanup-timeout": f.cleanupTimeout, "heartbeat-timeout": f.heartbeatTimeout,
		"heartbeat-interval": f.heartbeatInterval, "offline-removal": f.offlineRemoval, "flush-interval": f.flushInterval} {
		if d <= 0 {
			fmt.Fprintf(stderr, "lively-actor: --%s must be positive\n", name)
			return ExitUsage
		}
	}
	if f.staticDir != "" {
		if st, err := os.Stat(f.staticDir); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "lively-actor: --static-dir %q is not a directory\n", f.staticDir)
			return ExitUsage
		}
	}
	st, err := f.store.open(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "lively-actor: opening the store:", err)
		return ExitFailure
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing the store", "err", err)
		}
	}()
	cfg.Store, cfg.FlushInterval = st, f.flushInterval
	srv, err := lively.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "lively-actor:", err)
		return ExitUsage
	}
	if f.debugAddr != "" {
		dbg, err := startDebug(f.debugAddr, logger)
		if err != nil {
			fmt.Fprintln(stderr, "lively-actor:", err)
			return ExitFailure
		}
		defer dbg.stop()
		f.debugAddr = dbg.Addr().String()
	}
	if err := srv.Start(ctx, f.addr); err != nil {
		fmt.Fprintln(stderr, "lively-actor:", err)
		return ExitFailure
	}
	printBanner(stdout, srv.Addr(), f)
	<-ctx.Done()
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	if err := srv.Stop(sctx); err != nil {
		logger.Error("shutdown incomplete", "err", err)
		return ExitFailure
	}
	return ExitOK
}

func printBanner(w io.Writer, addr net.Addr, f *serveFlags) {
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	base := net.JoinHostPort(host, port)
	data := filepath.Join(f.store.dataDir, store.SQLiteFileName)
	switch {
	case f.store.databaseURL != "":
		data = "postgres"
	case f.store.memory:
		data = "memory (nothing persists)"
	}
	path := strings.TrimSuffix(f.path, "/")
	fmt.Fprintf(w, "\n  lively-actor\n\n  WebSocket    ws://%s%s/{roomId}\n  Yjs          ws://%s/yjs/{docName}  (y-websocket; also /workspaces/{id}/sync)\n  Health       http://%s%s\n  Metrics      http://%s/metrics\n  API docs     http://%s/openapi\n  Data         %s\n\n",
		base, path, base, base, f.healthPath, base, base, data)
	if f.debugAddr != "" {
		fmt.Fprintf(w, "  Profiler     http://%s/debug/pprof/  (--debug-addr)\n\n", f.debugAddr)
	}
}
