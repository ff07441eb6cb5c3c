package rest

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lively-actor/lively/crdt/yjs"
)

// seedTable gives workspace ws a table of n rows, written in one transaction by another client.
func seedTable(b *testing.B, mem *MemoryBackend, ws, table string, n int) {
	doc := yjs.NewDoc()
	entries := make([]yjs.Any, n)
	for i := range entries {
		v, err := yjs.ParseJSON([]byte(fmt.Sprintf(`{"key":"row-%05d","val":{"id":"row-%05d","title":"title %d"},"ts":%d}`, i, i, i, i)))
		if err != nil {
			b.Fatal(err)
		}
		entries[i] = v
	}
	u, err := doc.Transact(7, func(tx *yjs.Txn) error { return tx.ArrayPush("table:"+table, entries...) })
	if err != nil {
		b.Fatal(err)
	}
	if err := mem.ApplyUpdate(ws, u); err != nil {
		b.Fatal(err)
	}
}

func benchUpsert(b *testing.B, schemas map[string]json.RawMessage) {
	mem := NewMemoryBackend(WithClientID(1))
	seedTable(b, mem, "w", "posts", 10000)
	h, err := New(Config{Tables: mem, Schemas: schemas})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/workspaces/w/tables/posts",
			strings.NewReader(fmt.Sprintf(`{"id":"row-%05d","title":"edited %d"}`, i%10000, i)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkHandler_Upsert_10kRows: POST upserts into a table of 10k rows (in-memory backend).
func BenchmarkHandler_Upsert_10kRows(b *testing.B) { benchUpsert(b, nil) }

// BenchmarkHandler_Upsert_10kRows_Schema: the same with a JSON Schema checked on every write.
func BenchmarkHandler_Upsert_10kRows_Schema(b *testing.B) {
	benchUpsert(b, map[string]json.RawMessage{"posts": json.RawMessage(
		`{"type":"object","required":["id","title"],"properties":{"id":{"type":"string"},"title":{"type":"string","maxLength":100}}}`)})
}
