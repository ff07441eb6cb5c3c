package bench

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressLine(t *testing.T) {
	s, err := Options{Scenario: "fanout", Rooms: 1, Clients: 3}.settle()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(s, "ws://127.0.0.1:1", fanoutScenario{})
	r.clients[0].alive.Store(true)
	r.phase.Store(phaseMeasuring)
	line := r.progressLine(1234, 5678.9)
	for _, w := range []string{"fanout", "measure", "conns 1/3", "sent 1,234/s", "recv 5,679/s", "errors 0"} {
		if !strings.Contains(line, w) {
			t.Errorf("line %q lacks %q", line, w)
		}
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}
