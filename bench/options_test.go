package bench

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOptions_Settle(t *testing.T) {
	cases := []struct {
		name    string
		opt     Options
		rooms   int
		clients int
		conns   int
		hz      float64
		warmup  time.Duration
		err     bool
	}{
		{
			name:    "fanout defaults",
			opt:     Options{Scenario: "fanout"},
			rooms:   1,
			clients: 50,
			conns:   50,
			hz:      20,
			warmup:  defaultWarmup,
		},
		{
			name:    "idle conns",
			opt:     Options{Scenario: "idle", Conns: 25, Clients: 10},
			rooms:   3,
			clients: 10,
			conns:   25,
			warmup:  defaultWarmup,
		},
		{
			name:    "joinstorm is one room without warmup",
			opt:     Options{Scenario: "joinstorm", Rooms: 9, Clients: 40, Warmup: time.Second},
			rooms:   1,
			clients: 40,
			conns:   40,
		},
		{
			name:    "total rate spread over clients",
			opt:     Options{Scenario: "yjs", Rooms: 4, Clients: 5, Rate: 100, Warmup: -1},
			rooms:   4,
			clients: 5,
			conns:   20,
			hz:      5,
		},
		{
			name: "unknown scenario",
			opt:  Options{Scenario: "bogus"},
			err:  true,
		},
		{
			name: "hz and rate",
			opt:  Options{Scenario: "fanout", Hz: 1, Rate: 10},
			err:  true,
		},
		{
			name: "over max conns",
			opt:  Options{Scenario: "idle", Conns: 30, MaxConns: 20},
			err:  true,
		},
		{
			name: "hz on idle",
			opt:  Options{Scenario: "idle", Hz: 3},
			err:  true,
		},
		{
			name: "msgpack on yjs",
			opt:  Options{Scenario: "yjs", Encoding: "msgpack"},
			err:  true,
		},
		{
			name: "bad encoding",
			opt:  Options{Scenario: "fanout", Encoding: "xml"},
			err:  true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.opt.settle()
			if tc.err {
				if !errors.Is(err, ErrUsage) {
					t.Fatalf("err %v, want ErrUsage", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Rooms != tc.rooms || s.Clients != tc.clients || s.totalConns != tc.conns || s.perClientHz != tc.hz || s.Warmup != tc.warmup {
				t.Errorf("rooms %d clients %d conns %d hz %v warmup %v", s.Rooms, s.Clients, s.totalConns, s.perClientHz, s.Warmup)
			}
			if s.deadline() <= s.Duration+s.Warmup {
				t.Errorf("deadline %v does not cover the run", s.deadline())
			}
		})
	}
}

func TestTargetURL(t *testing.T) {
	cases := []struct {
		in     string
		remote bool
		want   string
		err    bool
	}{
		{in: "ws://127.0.0.1:1999", want: "ws://127.0.0.1:1999"},
		{in: "http://localhost:1999/rooms/x", want: "ws://localhost:1999"},
		{in: "ws://[::1]:80", want: "ws://[::1]:80"},
		{in: "ws://127.3.4.5:9", want: "ws://127.3.4.5:9"},
		{in: "ws://10.0.0.1:80", err: true},
		{in: "ws://192.0.2.1:80", err: true},
		{in: "ws://192.0.2.1:80", remote: true, want: "ws://192.0.2.1:80"},
		{in: "ftp://127.0.0.1", err: true},
		{in: "", err: true},
	}
	for _, tc := range cases {
		got, err := targetURL(context.Background(), tc.in, tc.remote)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("targetURL(%q, %v) = %q, %v", tc.in, tc.remote, got, err)
		}
	}
}
