package lively_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/internal/wstest"
)

// BenchmarkREST_Upsert10kRows20Clients measures REST upserts into a table
// of 10k rows while 20 y-websocket connections receive every update.
func BenchmarkREST_Upsert10kRows20Clients(b *testing.B) {
	srv, err := lively.New(lively.Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	}()
	base := "http://" + srv.Addr().String() + "/workspaces/bench/tables/rows"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	post := func(id int) {
		resp, err := client.Post(base, "application/json", strings.NewReader(fmt.Sprintf(`{"id":"r%d","n":%d,"text":"row %d"}`, id, id, id)))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("POST: %d", resp.StatusCode)
		}
	}
	for i := 0; i < 10000; i++ {
		post(i)
	}
	for i := 0; i < 20; i++ {
		c := wstest.Dial(b, "ws://"+srv.Addr().String()+"/yjs/bench")
		go func() { // drain: each client receives every update
			for {
				if _, ok := c.TryNextWait(); !ok {
					return
				}
			}
		}()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		post(i % 10000) // overwrite existing rows: the table stays at 10k
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "upserts/s")
}
