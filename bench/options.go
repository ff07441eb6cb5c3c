package bench

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Options is one bench run. Zero values mean the scenario's default
// (see defaultsFor and the usage text).
type Options struct {
	Scenario string // idle, fanout, storage, joinstorm, yjs
	URL      string // ws://host:port of the server (http:// is accepted)

	Duration time.Duration // measurement window
	Warmup   time.Duration // traffic before the window, not measured; < 0: none
	Drain    time.Duration // after the window: wait for in-flight deliveries

	Rooms   int     // rooms (documents for yjs)
	Clients int     // clients per room (joinstorm: clients in its one room)
	Conns   int     // idle only: total connections; Rooms follows from Clients
	Hz      float64 // messages per second per client
	Rate    float64 // messages per second across all clients (overrides Hz)
	RateMax bool    // send as fast as deliveries keep up (see InFlight)
	// InFlight bounds, with RateMax, each sender's messages not yet
	// received by every member (0: 8). It keeps "max" a closed loop: the
	// server runs saturated instead of queueing without bound.
	InFlight int

	Heartbeat time.Duration // heartbeat period on /rooms connections
	Encoding  string        // json or msgpack (Lively scenarios)

	ServerPID int // read RSS and CPU of this process during the run, 0: off

	ConnectConcurrency int           // parallel dials; 0: 64 (joinstorm: all)
	ConnectTimeout     time.Duration // bound on the whole connect phase
	MaxConns           int           // refuse runs needing more connections
	MaxMessage         int64         // largest message accepted from the server

	AllowRemote bool // allow a non-loopback target
}

// Defaults that do not depend on the scenario.
const (
	defaultDuration           = 10 * time.Second
	defaultWarmup             = 2 * time.Second
	defaultDrain              = 3 * time.Second
	defaultHeartbeat          = 30 * time.Second
	defaultConnectConcurrency = 64
	defaultConnectTimeout     = 30 * time.Second
	defaultMaxConns           = 20000
	defaultMaxMessage         = 16 << 20
	dialTimeout               = 10 * time.Second
	writeTimeout              = 10 * time.Second
	closeGrace                = 2 * time.Second
	closeWriteTimeout         = time.Second
	joinstormMaxConcurrency   = 2048
	defaultInFlight           = 8
	creditTimeout             = 200 * time.Millisecond
	notReadyPause             = 10 * time.Millisecond
)

// scenarioDefault is a scenario's default shape.
type scenarioDefault struct {
	rooms, clients int
	hz             float64
	duration       time.Duration
}

// defaultsFor gives rooms, clients per room, Hz and duration per scenario.
func defaultsFor(scenario string) (scenarioDefault, bool) {
	switch scenario {
	case "idle":
		return scenarioDefault{rooms: 100, clients: 10, duration: defaultDuration}, true
	case "fanout":
		return scenarioDefault{rooms: 1, clients: 50, hz: 20, duration: defaultDuration}, true
	case "storage":
		return scenarioDefault{rooms: 10, clients: 5, hz: 5, duration: defaultDuration}, true
	case "joinstorm":
		return scenarioDefault{rooms: 1, clients: 200, duration: 30 * time.Second}, true
	case "yjs":
		return scenarioDefault{rooms: 10, clients: 5, hz: 5, duration: defaultDuration}, true
	}
	return scenarioDefault{}, false
}

// settled is Options with every default applied and checked.
type settled struct {
	Options
	enc         encoding
	totalConns  int
	perClientHz float64 // 0 with RateMax or for joinstorm
}

// settle applies defaults and validates o. It does not touch the network.
func (o Options) settle() (settled, error) {
	d, ok := defaultsFor(o.Scenario)
	if !ok {
		return settled{}, fmt.Errorf("%w: unknown scenario %q", ErrUsage, o.Scenario)
	}
	s := settled{Options: o}
	setDefault(&s.Duration, d.duration)
	setDefault(&s.Drain, defaultDrain)
	setDefault(&s.Heartbeat, defaultHeartbeat)
	setDefault(&s.ConnectTimeout, defaultConnectTimeout)
	setDefault(&s.MaxConns, defaultMaxConns)
	setDefault(&s.MaxMessage, defaultMaxMessage)
	setDefault(&s.InFlight, defaultInFlight)
	switch {
	case o.Scenario == "joinstorm" || o.Warmup < 0:
		s.Warmup = 0
	case o.Warmup == 0:
		s.Warmup = defaultWarmup
	}
	setDefault(&s.Clients, d.clients)
	switch {
	case o.Scenario == "joinstorm":
		s.Rooms = 1
	case o.Scenario == "idle" && o.Conns > 0:
		s.Rooms = (o.Conns + s.Clients - 1) / s.Clients
	default:
		setDefault(&s.Rooms, d.rooms)
	}
	s.totalConns = s.Rooms * s.Clients
	if o.Scenario == "idle" && o.Conns > 0 {
		s.totalConns = o.Conns
	}
	if s.ConnectConcurrency == 0 {
		s.ConnectConcurrency = defaultConnectConcurrency
		if o.Scenario == "joinstorm" {
			s.ConnectConcurrency = min(s.totalConns, joinstormMaxConcurrency)
		}
	}
	var err error
	if s.enc, err = parseEncoding(o.Encoding); err != nil {
		return s, err
	}
	if o.Scenario == "yjs" && s.enc != encodingJSON {
		return s, fmt.Errorf("%w: yjs speaks lib0 binary frames; --encoding does not apply", ErrUsage)
	}
	switch {
	case o.Rate > 0 && (o.Hz > 0 || o.RateMax):
		return s, fmt.Errorf("%w: give either --hz or --rate", ErrUsage)
	case o.Rate > 0:
		s.perClientHz = o.Rate / float64(s.totalConns)
	case o.Hz > 0:
		s.perClientHz = o.Hz
	case !o.RateMax:
		s.perClientHz = d.hz
	}
	if o.Scenario == "idle" || o.Scenario == "joinstorm" {
		if o.Hz > 0 || o.Rate > 0 || o.RateMax {
			return s, fmt.Errorf("%w: %s sends no measured traffic; --hz/--rate do not apply", ErrUsage, o.Scenario)
		}
		s.perClientHz, s.RateMax = 0, false
	}
	switch {
	case s.Clients < 1 || s.Rooms < 1 || s.totalConns < 1:
		return s, fmt.Errorf("%w: need at least one room and one client", ErrUsage)
	case s.Duration < 0 || s.Drain < 0 || s.Heartbeat <= 0 || s.InFlight < 0:
		return s, fmt.Errorf("%w: negative duration", ErrUsage)
	case s.totalConns > s.MaxConns:
		return s, fmt.Errorf("%w: %d connections exceed --max-conns %d", ErrUsage, s.totalConns, s.MaxConns)
	case s.perClientHz > 10000:
		return s, fmt.Errorf("%w: %.0f Hz per client is beyond a timer's reach; use --rate max", ErrUsage, s.perClientHz)
	}
	return s, nil
}

// deadline bounds the whole run: probe, connect, prepare, warmup, window,
// drain and close, plus a few seconds of slack.
func (s settled) deadline() time.Duration {
	d := dialTimeout + s.ConnectTimeout + s.Warmup + s.Duration + s.Drain + closeGrace + 5*time.Second
	if s.Scenario == "storage" {
		d += storageReadyTimeout
	}
	return d
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// targetURL normalises a server URL to ws(s)://host:port with no path and,
// unless allowRemote, refuses hosts that are not loopback addresses.
func targetURL(ctx context.Context, raw string, allowRemote bool) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("%w: --url is required", ErrUsage)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%w: --url: %v", ErrUsage, err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("%w: --url %q: want ws://host:port", ErrUsage, raw)
	}
	host := u.Hostname()
	if host == "" {
		return "", fmt.Errorf("%w: --url %q has no host", ErrUsage, raw)
	}
	if !allowRemote {
		if err := checkLoopback(ctx, host); err != nil {
			return "", err
		}
	}
	return u.Scheme + "://" + u.Host, nil
}

// checkLoopback resolves host and requires every address to be loopback.
func checkLoopback(ctx context.Context, host string) error {
	refuse := fmt.Errorf("%w: %s is not a loopback address; load tests must target this machine (pass --allow-remote for a deployment you own)", ErrUsage, host)
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return refuse
		}
		return nil
	}
	if host == "localhost" {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("%w: resolve %s: %v", ErrUsage, host, err)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return refuse
		}
	}
	return nil
}
