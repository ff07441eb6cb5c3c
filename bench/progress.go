package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
)

// isTerminal reports whether w is a terminal (the progress line is then
// rewritten in place with \r instead of printed once per line).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progressLoop prints one status line per second to w until stop closes.
func (r *run) progressLoop(stop <-chan struct{}, w io.Writer, tty bool) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var lastSent, lastRecv int64
	last := time.Now()
	for {
		select {
		case <-stop:
			if tty {
				fmt.Fprint(w, "\r\x1b[K")
			}
			return
		case now := <-t.C:
			sent, recv := r.totals()
			dt := now.Sub(last).Seconds()
			line := r.progressLine(float64(sent-lastSent)/dt, float64(recv-lastRecv)/dt)
			lastSent, lastRecv, last = sent, recv, now
			if tty {
				fmt.Fprintf(w, "\r%s\x1b[K", line)
			} else {
				fmt.Fprintln(w, line)
			}
		}
	}
}

// totals sums every client's sends and received messages (all phases).
func (r *run) totals() (sent, recv int64) {
	for _, c := range r.clients {
		sent += c.sentTotal.Load()
		recv += c.recv.Load()
	}
	return sent, recv
}

func (r *run) progressLine(sentRate, recvRate float64) string {
	var b strings.Builder
	alive := 0
	for _, c := range r.clients {
		if c.alive.Load() {
			alive++
		}
	}
	fmt.Fprintf(&b, "%s %5.1fs %-7s conns %s/%s", r.name, time.Since(r.epoch).Seconds(),
		phaseName(r.phase.Load()), formatNumber(float64(alive), 0), formatNumber(float64(len(r.clients)), 0))
	if r.name == "joinstorm" {
		fmt.Fprintf(&b, "  full %s  presence msgs %s", formatNumber(float64(r.js.full.Load()), 0),
			formatNumber(float64(r.js.presenceMsgs.Load()), 0))
	} else {
		fmt.Fprintf(&b, "  sent %s/s  recv %s/s", formatNumber(sentRate, 0), formatNumber(recvRate, 0))
		if exp := r.expected(); exp > 0 {
			fmt.Fprintf(&b, "  delivered %.1f%%", 100*float64(r.delivered())/float64(exp))
		}
		if h := r.lat.snapshot(); h.TotalCount() > 0 {
			fmt.Fprintf(&b, "  p99 %.2fms", ms(h.ValueAtQuantile(99)))
		}
	}
	fmt.Fprintf(&b, "  errors %d", r.errs.total.Load())
	return b.String()
}
