package yjs

import (
	"errors"
	"runtime"
	"testing"
)

func TestDecodeUpdate_Rejects(t *testing.T) {
	cases := []struct {
		name, hex string
		want      error
	}{
		{"empty", "", ErrUnexpectedEOF},
		{"zero-length GC", "01010100000000", ErrInvalidUpdate},
		{"zero-length string item", "01010100040101740000", ErrInvalidUpdate},
		{"skip with other bits", "010101004a0100", ErrInvalidUpdate},
		{"content ref 11", "010101000b00", ErrInvalidUpdate},
		{"clock beyond 2^53", "010101ffffffffffffff0f000200", ErrIntegerOutOfRange},
		{"client beyond 2^53", "0101ffffffffffffffff01000000", ErrIntegerOutOfRange},
		{"huge struct count", "01ffffffff0f01000000", ErrUnexpectedEOF},
		{"delete set truncated", "000105", ErrUnexpectedEOF},
		{"delete range beyond 2^53", "00010101808080808080801001", ErrIntegerOutOfRange},
		{"subdoc options null", "010101000901016401677e00", ErrInvalidUpdate},
		{"json content invalid", "010101000201016101027b6100", ErrInvalidJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeUpdate(unhex(t, c.hex))
			if err == nil || !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeUpdate_TrailingBytesIgnored(t *testing.T) {
	if err := ValidateUpdate([]byte{0, 0, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
}

// TestDecode_HostileLengthsDoNotAllocate feeds counts and lengths near 2^53 and 2^64: the
// decoders must fail without allocating anything close to them.
func TestDecode_HostileLengthsDoNotAllocate(t *testing.T) {
	inputs := []string{
		"ffffffffffffff0f",                     // 2^53 clients
		"01ffffffffffffff0f0100",               // 2^53 structs
		"010101000801016cffffffff0f",           // any content with 2^32 elements
		"0101010002010161ffffffffffffff0f",     // JSON content with 2^53 elements
		"0101010004010174ffffffffffffffffff01", // string of 2^64 bytes
		"0101010003010161ffffffff0f",           // binary of 2^32 bytes
		"0001ffffffff0f",                       // 2^32 delete-set clients
		"000101ffffffff0f",                     // 2^32 delete ranges
		"010101000801016101760fffffff0f",       // object with 2^32 keys
		"010101000801016101750fffffff0f",       // array with 2^32 items
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, h := range inputs {
		b := unhex(t, h)
		if err := ValidateUpdate(b); err == nil {
			t.Errorf("%s decoded", h)
		}
		if _, err := MergeUpdates([][]byte{b, b}); err == nil {
			t.Errorf("%s merged", h)
		}
		if err := NewDoc().Apply(b); err == nil {
			t.Errorf("%s applied", h)
		}
	}
	if _, err := DecodeStateVector(unhex(t, "ffffffffffffff0f")); err == nil {
		t.Error("hostile state vector decoded")
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("decoding hostile lengths allocated %d bytes", d)
	}
}
