package yjs

import (
	"fmt"
	"testing"
)

// tblBigDoc returns a document with a table of n rows, written in one transaction.
func tblBigDoc(b *testing.B, n int) *Doc {
	doc := NewDoc()
	entries := make([]Any, n)
	for i := range entries {
		id := fmt.Sprintf("row-%05d", i)
		entries[i] = entryValue(id, tblRow(b, fmt.Sprintf(`{"id":%q,"title":"title %d","n":%d}`, id, i, i)), float64(i))
	}
	if _, err := doc.Transact(1, func(tx *Txn) error { return tx.ArrayPush("table:posts", entries...) }); err != nil {
		b.Fatal(err)
	}
	return doc
}

// BenchmarkUpsertRow_10kRows: one REST-style upsert into a table of 10k rows (the cost is the
// scan that finds the key's entries and the table's highest ts).
func BenchmarkUpsertRow_10kRows(b *testing.B) {
	doc := tblBigDoc(b, 10000)
	row := tblRow(b, `{"id":"row-00042","title":"edited"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := UpsertRow(doc, 2, "posts", "row-00042", row, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadRow_10kRows: one row read from a table of 10k rows.
func BenchmarkReadRow_10kRows(b *testing.B) {
	doc := tblBigDoc(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := ReadRow(doc, "posts", "row-05000"); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkReadTable_10kRows: listing a table of 10k rows (every row decoded).
func BenchmarkReadTable_10kRows(b *testing.B) {
	doc := tblBigDoc(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rows := ReadTable(doc, "posts"); len(rows) != 10000 {
			b.Fatal(len(rows))
		}
	}
}
