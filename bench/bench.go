package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// comparePause separates the runs of a comparison, so that each server has
// finished with the previous run's connections.
const comparePause = time.Second

// newScenario returns the scenario implementation for name.
func newScenario(name string) scenario {
	switch name {
	case "idle":
		return idleScenario{}
	case "fanout":
		return fanoutScenario{}
	case "storage":
		return storageScenario{}
	case "joinstorm":
		return joinstormScenario{}
	case "yjs":
		return yjsScenario{}
	}
	return nil
}

// relayLimitation says why a scenario cannot run against the relay baseline
// ("" when it can): the relay forwards frames and has no protocol logic.
func relayLimitation(name string) string {
	switch name {
	case "storage":
		return "storage needs a Lively server (storage:init and storage:ops broadcasts are protocol logic; the relay only forwards frames)"
	case "joinstorm":
		return "joinstorm needs a Lively server (presence lists are protocol logic; the relay only forwards frames)"
	}
	return ""
}

// Run executes one scenario against o.URL and returns its report. A progress
// line is written to progress once a second (nil: none). Every phase is
// bounded, so Run returns by itself; when ctx ends early, it returns the
// partial report with ctx's error.
func Run(ctx context.Context, o Options, progress io.Writer) (*Report, error) {
	s, err := o.settle()
	if err != nil {
		return nil, err
	}
	target, err := targetURL(ctx, o.URL, o.AllowRemote)
	if err != nil {
		return nil, err
	}
	if lim, err := raiseNoFileLimit(); err == nil && lim > 0 && uint64(s.totalConns)+64 > lim {
		return nil, fmt.Errorf("%w: %d connections need more file descriptors than RLIMIT_NOFILE (%d)", ErrUsage, s.totalConns, lim)
	}
	ctx, cancel := context.WithTimeout(ctx, s.deadline())
	defer cancel()
	sc := newScenario(s.Scenario)
	r := newRun(s, target, sc)
	if why := relayLimitation(s.Scenario); why != "" {
		relay, err := probeRelay(ctx, target, r.runID)
		if err != nil {
			return nil, fmt.Errorf("bench: cannot reach %s: %w", target, err)
		}
		if relay {
			rep := baseReport(s, target)
			rep.Target, rep.NotApplicable = "relay", why
			return rep, nil
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if progress != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.progressLoop(stop, progress, isTerminal(progress))
		}()
	}
	err = sc.drive(ctx, r)
	close(stop)
	wg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("bench: hard deadline of %s reached: %w", s.deadline(), err)
	}
	return r.report(), err
}

// Compare runs o's scenario against o.URL (A) and urlB (B) in the order
// A B A B and returns both summaries with the ratios B/A. pidB is B's server
// process for RSS and CPU readings (0: none); o.ServerPID is A's.
func Compare(ctx context.Context, o Options, urlB string, pidB int, progress io.Writer) (*CompareReport, error) {
	if _, err := o.settle(); err != nil {
		return nil, err
	}
	for _, u := range []string{o.URL, urlB} {
		if _, err := targetURL(ctx, u, o.AllowRemote); err != nil {
			return nil, err
		}
	}
	order := []string{"A", "B", "A", "B"}
	var runsA, runsB []*Report
	for i, side := range order {
		oo := o
		if side == "B" {
			oo.URL, oo.ServerPID = urlB, pidB
		}
		if progress != nil {
			fmt.Fprintf(progress, "run %d/%d: %s %s\n", i+1, len(order), side, oo.URL)
		}
		rep, err := Run(ctx, oo, progress)
		if err != nil {
			return nil, fmt.Errorf("run %d (%s %s): %w", i+1, side, oo.URL, err)
		}
		if side == "A" {
			runsA = append(runsA, rep)
		} else {
			runsB = append(runsB, rep)
		}
		if i < len(order)-1 && !sleepStop(ctx.Done(), comparePause) {
			return nil, ctx.Err()
		}
	}
	return newCompareReport(runsA, runsB, order), nil
}
