package yjs

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

type protocolVectors struct {
	VarUint []struct {
		N   uint64 `json:"n"`
		Hex string `json:"hex"`
	} `json:"varUint"`
	VarInt []struct {
		N   int64  `json:"n"`
		Hex string `json:"hex"`
	} `json:"varInt"`
	VarString []struct {
		S   string `json:"s"`
		Hex string `json:"hex"`
	} `json:"varString"`
	Any []struct {
		JS  string `json:"js"`
		Hex string `json:"hex"`
	} `json:"any"`
}

func loadProtocolVectors(t *testing.T) protocolVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors/protocol.json")
	if err != nil {
		t.Fatal(err)
	}
	var v protocolVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLib0_VarUint_Vectors(t *testing.T) {
	v := loadProtocolVectors(t)
	if len(v.VarUint) == 0 {
		t.Fatal("no vectors")
	}
	for _, c := range v.VarUint {
		if got := hex.EncodeToString(AppendVarUint(nil, c.N)); got != c.Hex {
			t.Errorf("AppendVarUint(%d) = %s, want %s", c.N, got, c.Hex)
		}
		n, size, err := ReadVarUint(unhex(t, c.Hex))
		if err != nil || n != c.N || size != len(c.Hex)/2 {
			t.Errorf("ReadVarUint(%s) = %d, %d, %v; want %d", c.Hex, n, size, err, c.N)
		}
	}
}

func TestLib0_VarInt_Vectors(t *testing.T) {
	v := loadProtocolVectors(t)
	for _, c := range v.VarInt {
		if got := hex.EncodeToString(AppendVarInt(nil, c.N)); got != c.Hex {
			t.Errorf("AppendVarInt(%d) = %s, want %s", c.N, got, c.Hex)
		}
		n, size, err := ReadVarInt(unhex(t, c.Hex))
		if err != nil || n != c.N || size != len(c.Hex)/2 {
			t.Errorf("ReadVarInt(%s) = %d, %d, %v; want %d", c.Hex, n, size, err, c.N)
		}
	}
	// -0 is 0x40 (sign bit, no magnitude)
	if got := hex.EncodeToString(appendVarInt(nil, 0, true)); got != "40" {
		t.Errorf("varInt(-0) = %s, want 40", got)
	}
}

func TestLib0_VarString_Vectors(t *testing.T) {
	v := loadProtocolVectors(t)
	for _, c := range v.VarString {
		if got := hex.EncodeToString(AppendVarString(nil, c.S)); got != c.Hex {
			t.Errorf("AppendVarString(%q) = %s, want %s", c.S, got, c.Hex)
		}
		s, _, err := ReadVarString(unhex(t, c.Hex))
		if err != nil || s != c.S {
			t.Errorf("ReadVarString(%s) = %q, %v", c.Hex, s, err)
		}
	}
}

func TestLib0_Decoder_Errors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		read func([]byte) error
		want error
	}{
		{"varUint truncated", "80", func(b []byte) error { _, _, err := ReadVarUint(b); return err }, ErrUnexpectedEOF},
		{"varUint empty", "", func(b []byte) error { _, _, err := ReadVarUint(b); return err }, ErrUnexpectedEOF},
		{"varUint beyond 64 bits", "ffffffffffffffffff7f", func(b []byte) error { _, _, err := ReadVarUint(b); return err }, ErrIntegerOutOfRange},
		{"varInt beyond 2^53", "ffffffffffffffff7f", func(b []byte) error { _, _, err := ReadVarInt(b); return err }, ErrIntegerOutOfRange},
		{"varString longer than input", "ff0161", func(b []byte) error { _, _, err := ReadVarString(b); return err }, ErrUnexpectedEOF},
		{"varString huge length", "ffffffffffffffff0f", func(b []byte) error { _, _, err := ReadVarString(b); return err }, ErrUnexpectedEOF},
		{"varString invalid UTF-8", "02c328", func(b []byte) error { _, _, err := ReadVarString(b); return err }, ErrInvalidUTF8},
		{"varString encoded surrogate", "03eda080", func(b []byte) error { _, _, err := ReadVarString(b); return err }, ErrInvalidUTF8},
		{"any unknown tag", "73", func(b []byte) error { _, _, err := DecodeAny(b); return err }, ErrInvalidAny},
		{"any huge array", "75ffffffff0f", func(b []byte) error { _, _, err := DecodeAny(b); return err }, ErrUnexpectedEOF},
		{"any huge object", "76ffffffff0f", func(b []byte) error { _, _, err := DecodeAny(b); return err }, ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.read(unhex(t, c.in)); !errors.Is(err, c.want) {
				t.Fatalf("error = %v, want %v", err, c.want)
			}
		})
	}
}

func TestLib0_VarUint_RedundantZeroGroups(t *testing.T) {
	// lib0 accepts non-minimal encodings
	n, size, err := ReadVarUint([]byte{0x81, 0x80, 0x80, 0x00})
	if err != nil || n != 1 || size != 4 {
		t.Fatalf("got %d, %d, %v", n, size, err)
	}
}
