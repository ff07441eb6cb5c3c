package bench

import (
	"bytes"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestMpReader_NumbersAndSkip(t *testing.T) {
	for _, v := range []any{int64(0), int64(127), int64(-32), int64(-33), int64(255), int64(-129), int64(70000), int64(-70000), int64(1) << 40, -(int64(1) << 40), uint64(1) << 63, float32(1.5), 2.25} {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		r := &mpReader{b: b}
		f, ok := r.number()
		var want float64
		switch x := v.(type) {
		case int64:
			want = float64(x)
		case uint64:
			want = float64(x)
		case float32:
			want = float64(x)
		case float64:
			want = x
		}
		if !ok || f != want || r.i != len(b) {
			t.Errorf("%v: got %v ok=%v at %d/%d", v, f, ok, r.i, len(b))
		}
	}
	nested := map[string]any{"a": []any{1, "x", nil, true, 2.5, map[string]any{"b": []byte{1, 2}}}, "s": string(make([]byte, 300))}
	b, _ := msgpack.Marshal(nested)
	b = append(b, 0x07)
	r := &mpReader{b: b}
	if !r.skip() || r.i != len(b)-1 {
		t.Fatalf("skip stopped at %d of %d", r.i, len(b))
	}
}

func TestMpAppend_MatchesLibrary(t *testing.T) {
	for _, n := range []int{0, 15, 16, 70000} {
		var b []byte
		b = mpAppendStr(b, string(make([]byte, n)))
		var s string
		if err := msgpack.Unmarshal(b, &s); err != nil || len(s) != n {
			t.Errorf("str %d: %v", n, err)
		}
		b = mpAppendArray(nil, n)
		if l, err := msgpack.NewDecoder(bytes.NewReader(b)).DecodeArrayLen(); err != nil || l != n {
			t.Errorf("array %d: %d %v", n, l, err)
		}
		b = mpAppendMap(nil, n)
		if l, err := msgpack.NewDecoder(bytes.NewReader(b)).DecodeMapLen(); err != nil || l != n {
			t.Errorf("map %d: %d %v", n, l, err)
		}
	}
	for _, v := range []int64{0, 127, 128, -1, -32, -33, 1 << 31, 1 << 33, -(1 << 33)} {
		var got int64
		if err := msgpack.Unmarshal(mpAppendInt(nil, v), &got); err != nil || got != v {
			t.Errorf("int %d: got %d %v", v, got, err)
		}
	}
}
