package lively_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/internal/wstest"
)

// testServer is a server on 127.0.0.1:0 stopped at test cleanup.
type testServer struct {
	t   *testing.T
	srv *lively.Server
	url string // ws://127.0.0.1:port
}

func newTestServer(t *testing.T, cfg lively.Config) *testServer {
	t.Helper()
	srv, err := lively.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, srv: srv, url: "ws://" + srv.Addr().String()}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return ts
}

func (ts *testServer) http() string { return "http://" + ts.srv.Addr().String() }

// join dials room as user and returns the client after its first presence.
func (ts *testServer) join(room, user string) *wstest.Client {
	ts.t.Helper()
	c := wstest.Dial(ts.t, ts.roomURL(room, user, user))
	return c
}

func (ts *testServer) roomURL(room, userID, name string) string {
	q := url.Values{}
	if userID != "" {
		q.Set("userId", userID)
	}
	if name != "" {
		q.Set("displayName", name)
	}
	return ts.url + "/rooms/" + room + "?" + q.Encode()
}

// presenceUsers decodes a presence message's user ids.
func presenceUsers(t *testing.T, m wstest.Msg) []string {
	t.Helper()
	var p struct {
		Users []struct {
			UserID string `json:"userId"`
		} `json:"users"`
	}
	if err := json.Unmarshal(m.Data, &p); err != nil {
		t.Fatalf("bad presence %s: %v", m.Data, err)
	}
	ids := make([]string, len(p.Users))
	for i, u := range p.Users {
		ids[i] = u.UserID
	}
	return ids
}

// waitPresence reads until a presence message lists exactly ids (any order).
func waitPresence(t *testing.T, c *wstest.Client, ids ...string) wstest.Msg {
	t.Helper()
	want := fmt.Sprint(sortedCopy(ids))
	return c.Until("presence "+want, func(m wstest.Msg) bool {
		return m.Type == "presence" && fmt.Sprint(sortedCopy(presenceUsers(t, m))) == want
	})
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}

// recorder collects hook calls for assertions.
type recorder struct {
	mu     sync.Mutex
	events []string
	ch     chan string
}

func newRecorder() *recorder { return &recorder{ch: make(chan string, 1<<14)} }

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.ch <- e
}

// wait blocks until event e was recorded (bounded).
func (r *recorder) wait(t *testing.T, e string) {
	t.Helper()
	deadline := time.After(wstest.Wait)
	for {
		select {
		case got := <-r.ch:
			if got == e {
				return
			}
		case <-deadline:
			t.Fatalf("hook event %q not seen; got %v", e, r.all())
		}
	}
}

func (r *recorder) count(e string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.events {
		if x == e {
			n++
		}
	}
	return n
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// checkFor polls fn until it returns nil or total elapses.
func checkFor(t *testing.T, total time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
