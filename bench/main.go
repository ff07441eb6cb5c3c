package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const usageHead = `usage: lively-actor bench <scenario> --url ws://host:port [flags]
       lively-actor bench <scenario> --url ws://A --compare ws://B [flags]
       lively-actor bench relay [--addr 127.0.0.1:0]
       lively-actor bench results report.json...

scenarios (defaults in brackets):
  idle       N idle connections in rooms of K, heartbeats only: connect rate and,
             with --server-pid, server RSS per connection   [100 rooms × 10 clients]
  fanout     R rooms × C clients sending cursor:update at H Hz: delivery latency
             and throughput, expected = sends × (C−1)      [1 × 50, 20 Hz]
  storage    R rooms × C clients sending storage:ops sets: echo latency,
             expected = sends × C (Lively server only)      [10 × 5, 5 Hz]
  joinstorm  N clients join one room at once: time until every client's latest
             presence lists all N (Lively server only)       [200, --duration 30s]
  yjs        R docs × C y-websocket clients (/yjs/<doc>) sending Yjs updates,
             expected = sends × (C−1)                        [10 × 5, 5 Hz]
  relay      serve the relay baseline (no protocol logic: forwards every frame
             to the other members of the room) until interrupted
  results    print --json reports (single runs or --compare) as a Markdown
             table: lively-actor, the relay, their ratio, the target

Targets must be loopback addresses unless --allow-remote is given. Each run is
bounded: connect timeout + warmup + duration + drain + a few seconds of grace.
Exit status: 0 ok, 1 the run failed or saw errors, 2 bad usage.

flags:
`

// cliFlags are the command-line flags of a scenario run.
type cliFlags struct {
	opt        Options
	rate       string
	compare    string
	serverPID2 int
	jsonPath   string
	noProgress bool
}

func newScenarioFlags(stderr io.Writer) (*flag.FlagSet, *cliFlags) {
	f := &cliFlags{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &f.opt
	fs.StringVar(&o.URL, "url", "", "server to load, ws://host:port (required)")
	fs.StringVar(&f.compare, "compare", "", "second server: run A B A B and print both with ratios B/A")
	fs.DurationVar(&o.Duration, "duration", 0, "measurement window (joinstorm: time allowed to settle) (default 10s; joinstorm 30s)")
	fs.DurationVar(&o.Warmup, "warmup", 0, "traffic before the window, not measured; 0 for none (default 2s; joinstorm none)")
	fs.DurationVar(&o.Drain, "drain", 0, "after the window, wait up to this for in-flight deliveries (default 3s)")
	fs.IntVar(&o.Rooms, "rooms", 0, "rooms, or Yjs documents (default per scenario)")
	fs.IntVar(&o.Clients, "clients", 0, "clients per room; joinstorm: clients in its room (default per scenario)")
	fs.IntVar(&o.Conns, "conns", 0, "idle: total connections (rooms = conns / clients)")
	fs.Float64Var(&o.Hz, "hz", 0, "messages per second per client (default per scenario)")
	fs.StringVar(&f.rate, "rate", "", `messages per second across all clients, or "max": as fast as deliveries keep up`)
	fs.IntVar(&o.InFlight, "inflight", 0, "with --rate max: messages per sender not yet delivered to every member (default 8)")
	fs.DurationVar(&o.Heartbeat, "heartbeat", 0, "heartbeat period on /rooms connections (default 30s)")
	fs.StringVar(&o.Encoding, "encoding", "json", "Lively encoding: json or msgpack")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "server process to read RSS and CPU from (/proc)")
	fs.IntVar(&f.serverPID2, "server-pid2", 0, "with --compare: the second server's process")
	fs.IntVar(&o.ConnectConcurrency, "connect-concurrency", 0, "parallel dials (default 64; joinstorm: all at once)")
	fs.DurationVar(&o.ConnectTimeout, "connect-timeout", 0, "bound on the whole connect phase (default 30s)")
	fs.IntVar(&o.MaxConns, "max-conns", 0, "refuse runs that need more connections (default 20000)")
	fs.StringVar(&f.jsonPath, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a target that is not a loopback address")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress line on stderr")
	return fs, f
}

// Usage writes the usage text.
func Usage(w io.Writer) {
	fs, _ := newScenarioFlags(w)
	fmt.Fprint(w, usageHead)
	fs.PrintDefaults()
}

// Main runs `lively-actor bench ...`; args are the arguments after "bench".
// It returns the exit status: 0 ok, 1 the run failed or recorded errors,
// 2 bad usage.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		Usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		Usage(stdout)
		return 0
	case "relay":
		return mainRelay(ctx, args[1:], stdout, stderr)
	case "results":
		return mainResults(args[1:], stdout, stderr)
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "bench: the scenario comes first: lively-actor bench <scenario> --url ...\n")
		return 2
	}
	fs, f := newScenarioFlags(stderr)
	fs.Usage = func() { Usage(stderr) }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	f.opt.Scenario = args[0]
	fs.Visit(func(fl *flag.Flag) {
		// An explicit --warmup 0 means none (a zero Options.Warmup is the default).
		if fl.Name == "warmup" && f.opt.Warmup == 0 {
			f.opt.Warmup = -1
		}
	})
	if err := parseRate(f.rate, &f.opt); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var progress io.Writer = stderr
	if f.noProgress {
		progress = nil
	}
	if f.compare != "" {
		return runCompare(ctx, f, progress, stdout, stderr)
	}
	rep, err := Run(ctx, f.opt, progress)
	if errors.Is(err, ErrUsage) {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if rep != nil {
		if werr := rep.WriteTable(stdout); werr != nil && err == nil {
			err = werr
		}
		if f.jsonPath != "" {
			if werr := writeJSON(f.jsonPath, rep); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if rep.Errors > 0 {
		return 1
	}
	return 0
}

func runCompare(ctx context.Context, f *cliFlags, progress io.Writer, stdout, stderr io.Writer) int {
	cr, err := Compare(ctx, f.opt, f.compare, f.serverPID2, progress)
	if errors.Is(err, ErrUsage) {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if err := cr.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if f.jsonPath != "" {
		if err := writeJSON(f.jsonPath, cr); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	}
	if cr.A.Errors > 0 || cr.B.Errors > 0 {
		return 1
	}
	return 0
}

// parseRate reads --rate: "max" or messages per second.
func parseRate(s string, o *Options) error {
	switch s {
	case "":
		return nil
	case "max":
		o.RateMax = true
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return fmt.Errorf("%w: --rate %q: want a positive number or max", ErrUsage, s)
	}
	o.Rate = v
	return nil
}

// mainRelay serves the relay baseline until ctx is done.
func mainRelay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	err := RunRelay(ctx, *addr, func(a string) {
		fmt.Fprintf(stdout, "relay listening on ws://%s\n", a)
	})
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	return 0
}
