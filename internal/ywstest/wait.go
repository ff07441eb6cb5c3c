package ywstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Events returns a copy of all events so far; EventCount is its length, to
// pass to WaitEvent as the first event of interest.
func (c *Client) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// EventCount is the number of events so far.
func (c *Client) EventCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// errExited ends a wait early when the child is gone.
var errExited = errors.New("node process exited")

// waitUntil calls check now and after every new event until it returns true,
// the timeout passes (false, nil) or the process exits (errExited).
func (c *Client) waitUntil(timeout time.Duration, check func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		changed := c.changed
		c.mu.Unlock()
		if check() {
			return nil
		}
		select {
		case <-changed:
		case <-c.p.done:
			if check() {
				return nil
			}
			return errExited
		case <-deadline.C:
			if check() {
				return nil
			}
			return fmt.Errorf("timed out after %v", timeout)
		}
	}
}

// WaitEvent waits for the first event with sequence number >= from that
// matches pred and returns it. Use EventCount before an action as from.
func (c *Client) WaitEvent(from int, pred func(Event) bool, timeout time.Duration) Event {
	c.t.Helper()
	var found *Event
	err := c.waitUntil(c.to(timeout), func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := max(from, 0); i < len(c.events); i++ {
			if pred(c.events[i]) {
				e := c.events[i]
				found = &e
				return true
			}
		}
		return false
	})
	if err != nil {
		c.fatalf("WaitEvent (from #%d): %v", from, err)
	}
	return *found
}

// IsEvent matches events by name.
func IsEvent(name string) func(Event) bool {
	return func(e Event) bool { return e.Name == name }
}

// IsStatus matches "status" events with the given status.
func IsStatus(status string) func(Event) bool {
	return func(e Event) bool { return e.Name == "status" && e.Status == status }
}

// IsClose matches "connection-close" events sent by the server with code
// (any code when code is 0).
func IsClose(code int) func(Event) bool {
	return func(e Event) bool { return e.Name == "connection-close" && !e.Local && (code == 0 || e.Code == code) }
}

// WaitSynced waits until the provider is synced (it got a SyncStep2 on its
// current connection) and connected.
func (c *Client) WaitSynced(timeout time.Duration) {
	c.t.Helper()
	var last Status
	var callErr error
	err := c.waitUntil(c.to(timeout), func() bool {
		body, err := c.call("status", nil, c.timeout)
		if err != nil {
			callErr = err
			return true
		}
		callErr = json.Unmarshal(body, &last)
		return callErr != nil || (last.Synced && last.WSConnected)
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		c.fatalf("WaitSynced: %v (last status %+v)", err, last)
	}
}

// WaitState waits until pred accepts the document state (see State) and
// returns that state. The state is read again after every event.
func (c *Client) WaitState(pred func(map[string]any) bool, timeout time.Duration) map[string]any {
	c.t.Helper()
	var last map[string]any
	var lastJSON string
	var callErr error
	err := c.waitUntil(c.to(timeout), func() bool {
		lastJSON, callErr = c.stateJSON()
		if callErr != nil {
			return true
		}
		last = nil
		if callErr = json.Unmarshal([]byte(lastJSON), &last); callErr != nil {
			return true
		}
		return pred(last)
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		c.fatalf("WaitState: %v (last state %s)", err, lastJSON)
	}
	return last
}

// WaitStateJSON waits until StateJSON equals want (compared after
// canonicalising want, so its key order and spacing do not matter).
func (c *Client) WaitStateJSON(want string, timeout time.Duration) {
	c.t.Helper()
	w, err := canonicalJSON([]byte(want))
	if err != nil {
		c.fatalf("WaitStateJSON: want %q: %v", want, err)
	}
	var last string
	var callErr error
	err = c.waitUntil(c.to(timeout), func() bool {
		last, callErr = c.stateJSON()
		if callErr != nil {
			return true
		}
		got, _ := canonicalJSON([]byte(last))
		return got == w
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		c.fatalf("WaitStateJSON: %v\n want %s\n last %s", err, w, last)
	}
}

func (c *Client) stateJSON() (string, error) {
	body, err := c.call("state", nil, c.timeout)
	if err != nil {
		return "", err
	}
	var r struct {
		State json.RawMessage `json:"state"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", err
	}
	return string(r.State), nil
}

// canonicalJSON re-encodes JSON with sorted object keys and no spaces
// (encoding/json sorts map keys); numbers keep their spelling.
func canonicalJSON(b []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// WaitAwareness waits until pred accepts the awareness states the provider
// knows (see Awareness) and returns them.
func (c *Client) WaitAwareness(pred func(map[uint64]any) bool, timeout time.Duration) map[uint64]any {
	c.t.Helper()
	var last map[uint64]any
	var callErr error
	err := c.waitUntil(c.to(timeout), func() bool {
		var body json.RawMessage
		body, callErr = c.call("awareness", nil, c.timeout)
		if callErr != nil {
			return true
		}
		var r struct {
			States map[uint64]any `json:"states"`
		}
		if callErr = json.Unmarshal(body, &r); callErr != nil {
			return true
		}
		last = r.States
		if last == nil {
			last = map[uint64]any{}
		}
		return pred(last)
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		c.fatalf("WaitAwareness: %v (last %v)", err, last)
	}
	return last
}

// WaitConverged waits until all clients report the same StateJSON and
// returns it.
func WaitConverged(t testing.TB, timeout time.Duration, clients ...*Client) string {
	t.Helper()
	if len(clients) == 0 {
		return ""
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	deadline := time.Now().Add(timeout)
	for {
		// Take the wake-up channels before reading, so no event is missed.
		chans := make([]<-chan struct{}, len(clients))
		for i, c := range clients {
			c.mu.Lock()
			chans[i] = c.changed
			c.mu.Unlock()
		}
		states := make([]string, len(clients))
		same := true
		for i, c := range clients {
			s, err := c.stateJSON()
			if err != nil {
				c.fatalf("WaitConverged: %v", err)
			}
			states[i] = s
			same = same && s == states[0]
		}
		if same {
			return states[0]
		}
		if time.Now().After(deadline) {
			var sb strings.Builder
			for i, c := range clients {
				fmt.Fprintf(&sb, "\n  %s: %s", c.name, states[i])
			}
			t.Fatalf("ywstest: clients did not converge within %v:%s", timeout, sb.String())
		}
		// Wait for any client to report an event (an update, usually).
		waitAnyEvent(clients, chans, time.Until(deadline))
	}
}

// waitAnyEvent returns when any of chans (the clients' wake-up channels) is
// closed or a client exits, or after d.
func waitAnyEvent(clients []*Client, chans []<-chan struct{}, d time.Duration) {
	if d <= 0 {
		return
	}
	stop := make(chan struct{})
	woke := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for i, c := range clients {
		ch := chans[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ch:
			case <-c.p.done:
			case <-stop:
				return
			}
			select {
			case woke <- struct{}{}:
			default:
			}
		}()
	}
	timer := time.NewTimer(d)
	select {
	case <-woke:
	case <-timer.C:
	}
	timer.Stop()
	close(stop)
	wg.Wait()
}
