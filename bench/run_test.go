package bench

import (
	"testing"
	"time"
)

func TestRun_ExpectedAndWindow(t *testing.T) {
	s, err := Options{Scenario: "fanout", Rooms: 2, Clients: 3, Warmup: time.Second, Duration: time.Second}.settle()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(s, "ws://127.0.0.1:1", fanoutScenario{})
	if len(r.rooms) != 2 || len(r.rooms[1]) != 3 || r.clients[4].room != 1 || r.clients[4].seat != 1 {
		t.Fatalf("layout rooms %d", len(r.rooms))
	}
	if r.expected() != 0 || r.inWindow(0) {
		t.Error("no window before senders start")
	}
	// Room 0 fully connected, room 1 with two members.
	for _, i := range []int{0, 1, 2, 3, 4} {
		r.clients[i].alive.Store(true)
	}
	r.startSenders(time.Hour, false)
	r.stopSenders()
	r.senders.Wait()
	r.clients[0].sent.Store(10) // room 0: 10 × 2 others
	r.clients[3].sent.Store(5)  // room 1: 5 × 1 other
	if got := r.expected(); got != 25 {
		t.Errorf("expected %d, want 25", got)
	}
	start, end := r.winStart.Load(), r.winEnd.Load()
	if end-start != time.Second.Microseconds() || r.inWindow(start-1) || !r.inWindow(start) || r.inWindow(end) {
		t.Errorf("window [%d,%d)", start, end)
	}
	if period(4) != 250*time.Millisecond || period(0) != 0 {
		t.Error("period")
	}
}
