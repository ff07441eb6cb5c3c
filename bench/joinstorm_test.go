package bench

import (
	"strconv"
	"testing"

	"github.com/gobwas/ws"
)

// feed streams msg into s in pieces of at most step bytes, as nextInto does.
func feed(s *presenceScanner, op ws.OpCode, msg []byte, step int) (int, int64, bool) {
	first := true
	for len(msg) > 0 || first {
		p := s.piece()
		n := copy(p[:min(step, len(p))], msg)
		msg = msg[n:]
		s.gotPiece(op, n, first)
		first = false
	}
	return s.finish()
}

func presenceJSON(prefix string, ids []int, pad string) []byte {
	b := []byte(`{"type":"presence","users":[`)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"userId"`+pad+`:`+pad+`"`...)
		b = append(b, prefix+strconv.Itoa(id)...)
		b = append(b, `","displayName":"bench","metadata":{"userId":"x-1"}}`...)
	}
	return append(b, "]}"...)
}

func presenceMsgpack(prefix string, ids []int) []byte {
	b := mpAppendMap(nil, 2)
	b = mpAppendStr(mpAppendStr(b, "type"), "presence")
	b = mpAppendArray(mpAppendStr(b, "users"), len(ids))
	for _, id := range ids {
		b = mpAppendMap(b, 2)
		b = mpAppendStr(mpAppendStr(b, "userId"), prefix+strconv.Itoa(id))
		b = mpAppendStr(mpAppendStr(b, "displayName"), "bench")
	}
	return b
}

func TestPresenceScannerCountsAcrossPieces(t *testing.T) {
	const n = 300
	ids := make([]int, 0, n+3)
	for i := range n {
		ids = append(ids, i)
	}
	ids = append(ids, 7, 7, n+5) // a duplicate and an index out of range count nothing
	msgs := []struct {
		name string
		op   ws.OpCode
		b    []byte
		two  []byte
	}{
		{"json", ws.OpText, presenceJSON("bx-", ids, ""), presenceJSON("bx-", []int{1, 2}, "")},
		{"json padded", ws.OpText, presenceJSON("bx-", ids, " "), presenceJSON("bx-", []int{1, 2}, "  ")},
		{"msgpack", ws.OpBinary, presenceMsgpack("bx-", ids), presenceMsgpack("bx-", []int{1, 2})},
	}
	for _, m := range msgs {
		for _, step := range []int{1, 2, 3, 7, 13, 64, 1000, scanPiece} {
			var s presenceScanner
			s.init("bx-", n)
			count, size, ok := feed(&s, m.op, m.b, step)
			if !ok || count != n || size != int64(len(m.b)) {
				t.Fatalf("%s step %d: count %d size %d ok %v, want %d %d true", m.name, step, count, size, ok, n, len(m.b))
			}
			// The scanner is reusable: a shorter list next, then a non-presence message.
			count, _, ok = feed(&s, m.op, m.two, step)
			if !ok || count != 2 {
				t.Fatalf("%s step %d: second list count %d ok %v", m.name, step, count, ok)
			}
			if _, _, ok := feed(&s, ws.OpText, []byte(`{"type":"cursor:update","userId":"bx-1"}`), step); ok {
				t.Fatalf("%s step %d: a cursor counted as presence", m.name, step)
			}
		}
	}
}

func TestPresenceScannerIgnoresOtherRuns(t *testing.T) {
	var s presenceScanner
	s.init("bx-", 4)
	count, _, ok := feed(&s, ws.OpText, presenceJSON("by-", []int{0, 1, 2, 3}, ""), scanPiece)
	if !ok || count != 0 {
		t.Fatalf("count %d ok %v", count, ok)
	}
	if _, _, ok := feed(&s, ws.OpText, nil, scanPiece); ok {
		t.Fatal("empty message counted as presence")
	}
}
