package ywstest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// StartReferenceServer runs the reference y-websocket server
// (@y/websocket-server's setupWSConnection, in memory, pings every 30 s) on
// 127.0.0.1 and a free port, and returns its base URL "ws://127.0.0.1:PORT".
// Any path works; the document name is the path without its leading slash,
// so clients of Start(t, base+"/yjs", "doc1") share the document "yjs/doc1".
// The server is stopped in t.Cleanup; its stderr is logged if the test fails.
func StartReferenceServer(t testing.TB) string {
	t.Helper()
	dir, err := NodeAvailable()
	if err != nil {
		t.Fatalf("ywstest: %v", err)
	}
	var once sync.Once
	portc := make(chan int, 1)
	p, err := startProc(dir, "refserver.mjs", func(line []byte) {
		var m struct {
			Port int `json:"port"`
		}
		if json.Unmarshal(line, &m) == nil && m.Port > 0 {
			once.Do(func() { portc <- m.Port })
		}
	})
	if err != nil {
		t.Fatalf("ywstest: reference server: %v", err)
	}
	t.Cleanup(func() {
		p.stop(2 * time.Second)
		if t.Failed() {
			t.Logf("ywstest reference server stderr:\n%s", p.stderrText())
		}
	})
	select {
	case port := <-portc:
		return fmt.Sprintf("ws://127.0.0.1:%d", port)
	case <-p.done:
		t.Fatalf("ywstest: reference server exited before listening: %v\n%s", p.exitError(), p.stderrText())
	case <-time.After(DefaultTimeout):
		t.Fatalf("ywstest: reference server did not report its port within %v\n%s", DefaultTimeout, p.stderrText())
	}
	return ""
}
