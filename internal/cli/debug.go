package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// debugServer serves Go's profiler (net/http/pprof) on a listener of its
// own, away from the public address: profiles show room ids and user data.
type debugServer struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// startDebug listens on addr and serves /debug/pprof/ until stop.
func startDebug(addr string, logger *slog.Logger) (*debugServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	d := &debugServer{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(d.done)
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("debug listener failed", "err", err)
		}
	}()
	return d, nil
}

// Addr is the address it listens on.
func (d *debugServer) Addr() net.Addr { return d.ln.Addr() }

// stop closes the listener and any profile in progress, and waits for the
// serving goroutine.
func (d *debugServer) stop() {
	_ = d.srv.Close() // closes the listener and every connection; the error is the listener's, already gone
	<-d.done
}
