package bench

import (
	"context"
	"os"
	"sync"
	"time"
)

// procReadings are the samples of the server process taken during a run:
// before connecting, at the start of the window (connected, warmed up) and at
// its end (nil: not taken), and this process's own CPU time over the window
// (so a saturated load generator shows).
type procReadings struct {
	before, start, end *procSample
	err                error
	trace              []RSSPoint // RSS during the window (traceRSS)

	selfStart, selfEnd time.Duration
	selfSpan           time.Duration // wall time between the self samples
	selfOK             bool

	// Host CPU pressure (PSI "some") over the same span.
	psiStart, psiEnd time.Duration
	psiOK            bool
}

// markSelf records this process's CPU time at the start (end false) or end
// of the measured span.
func (r *run) markSelf(end bool, at time.Time) {
	psi, perr := readCPUPressure()
	if !end {
		r.proc.psiStart, r.proc.psiOK = psi, perr == nil
	} else {
		r.proc.psiEnd, r.proc.psiOK = psi, r.proc.psiOK && perr == nil
	}
	s, err := readProc(os.Getpid())
	if err != nil {
		r.proc.selfOK = false
		return
	}
	if !end {
		r.proc.selfStart, r.proc.selfOK = s.cpu, true
		r.proc.selfSpan = -time.Duration(at.UnixNano())
		return
	}
	r.proc.selfEnd = s.cpu
	r.proc.selfSpan += time.Duration(at.UnixNano())
}

// sample reads the server process into *dst when --server-pid is set.
func (r *run) sample(dst **procSample) {
	if r.opt.ServerPID <= 0 {
		return
	}
	s, err := readProc(r.opt.ServerPID)
	if err != nil {
		if r.proc.err == nil {
			r.proc.err = err
		}
		return
	}
	*dst = &s
}

// drivePeriodic is the course of every scenario that sends on a period:
// connect, prepare, warmup, measure, drain, close. period 0 means as fast
// as possible; heartbeat adds Lively heartbeats to the sends.
func (r *run) drivePeriodic(ctx context.Context, period time.Duration, heartbeat bool, prepare func(context.Context)) error {
	defer r.closeAll()
	r.sample(&r.proc.before)
	r.connectAll(ctx)
	if r.connected.Load() == 0 {
		return errNoConnection
	}
	if prepare != nil {
		r.phase.Store(phasePreparing)
		prepare(ctx)
	}
	r.startSenders(period, heartbeat)
	r.phase.Store(phaseWarmup)
	if !r.sleepUntil(ctx, r.winStart.Load()) {
		return ctx.Err()
	}
	r.sample(&r.proc.start)
	r.markSelf(false, time.Now())
	r.phase.Store(phaseMeasuring)
	stopTrace := r.traceRSS()
	ok := r.sleepUntil(ctx, r.winEnd.Load())
	stopTrace()
	if !ok {
		return ctx.Err()
	}
	r.sample(&r.proc.end)
	r.markSelf(true, time.Now())
	r.stopSenders()
	r.senders.Wait()
	r.drain(ctx)
	return ctx.Err()
}

// period is the send interval for hz messages per second (0: as fast as
// possible).
func period(hz float64) time.Duration {
	if hz <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / hz)
}

// probeRelay opens one /rooms connection to learn whether the target is the
// bench relay, then closes it.
func probeRelay(ctx context.Context, target, runID string) (bool, error) {
	c, relay, err := dialClient(ctx, target+"/rooms/"+runID+"-probe?userId="+runID+"-probe", dialOptions{
		timeout:      dialTimeout,
		writeTimeout: writeTimeout,
		maxMessage:   defaultMaxMessage,
	})
	if err != nil {
		return false, err
	}
	_ = c.sendClose(closeWriteTimeout) // best effort: closed on the next line
	c.conn.Close()
	return relay, nil
}

// traceRSS reads the server's RSS every twentieth of the window (at least a
// second apart) into r.proc.trace until the returned stop is called, so
// that a long run shows whether memory stays flat.
func (r *run) traceRSS() (stop func()) {
	if r.opt.ServerPID <= 0 {
		return func() {}
	}
	every := max(time.Second, r.opt.Duration/20)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if s, err := readProc(r.opt.ServerPID); err == nil {
				r.proc.trace = append(r.proc.trace, RSSPoint{Sec: time.Since(start).Seconds(), KB: s.rssKB})
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
