package bench

import (
	"encoding/hex"
	"strings"
	"testing"
)

// yjsGolden are updates from two yTextWriters (client ids 123456789 and
// 4000000000, three inserts each, interleaved). Checked with yjs 13.6.33 via
// shared/yjs/apply-and-dump.mjs: they apply with nothing pending and give the
// text "9-0 9-1000 9-2000 0-0 0-1000 0-2000 ".
var yjsGolden = []string{
	"0101959aef3a0004010562656e636804392d302000",
	"010180d0acf30e0004010562656e636804302d302000",
	"0101959aef3a0484959aef3a0307392d313030302000",
	"010180d0acf30e048480d0acf30e0307302d313030302000",
	"0101959aef3a0b84959aef3a0a07392d323030302000",
	"010180d0acf30e0b8480d0acf30e0a07302d323030302000",
}

func TestYTextWriter_Insert_MatchesYjsVerifiedBytes(t *testing.T) {
	a := yTextWriter{client: 123456789}
	b := yTextWriter{client: 4000000000}
	texts := []string{"0 ", "1000 ", "2000 "}
	i := 0
	for _, text := range texts {
		for _, w := range []*yTextWriter{&a, &b} {
			msg := w.insert([]byte(hexDigit(w.client) + "-" + strings.TrimSpace(text) + " "))
			typ, sub, u, ok := ywsMessage(msg)
			if !ok || typ != ywsSync || sub != ywsSyncUpdate {
				t.Fatalf("message %x: type %d sub %d ok %v", msg, typ, sub, ok)
			}
			if got := hex.EncodeToString(u); got != yjsGolden[i] {
				t.Errorf("update %d = %s, want %s", i, got, yjsGolden[i])
			}
			client, s, ok := yFirstString(u)
			if !ok || client != w.client || !strings.HasPrefix(string(s), hexDigit(w.client)+"-") {
				t.Errorf("update %d content %q ok %v", i, s, ok)
			}
			i++
		}
	}
}

func hexDigit(client uint64) string { return string(rune('0' + client%10)) }

func TestVarUint_ProtocolVectors(t *testing.T) {
	// From shared/yjs/vectors/protocol.json.
	cases := []struct {
		n   uint64
		hex string
	}{
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {255, "ff01"}, {16384, "808001"},
		{2147483647, "ffffffff07"}, {4294967296, "8080808010"}, {9007199254740991, "ffffffffffffff0f"},
	}
	for _, tc := range cases {
		b := appendVarUint(nil, tc.n)
		if hex.EncodeToString(b) != tc.hex {
			t.Errorf("append %d = %x, want %s", tc.n, b, tc.hex)
		}
		v, end, ok := readVarUint(b, 0)
		if !ok || v != tc.n || end != len(b) {
			t.Errorf("read %s = %d,%d,%v", tc.hex, v, end, ok)
		}
	}
	if _, _, ok := readVarUint([]byte{0x80, 0x80}, 0); ok {
		t.Error("truncated varUint read as ok")
	}
}

func TestYwsMessage_Split(t *testing.T) {
	cases := []struct {
		name    string
		hex     string
		typ     uint64
		sub     uint64
		payload string
		ok      bool
	}{
		{
			name:    "empty step1",
			hex:     "00000100",
			typ:     ywsSync,
			sub:     ywsSyncStep1,
			payload: "00",
			ok:      true,
		},
		{
			name:    "empty step2",
			hex:     "0001020000",
			typ:     ywsSync,
			sub:     ywsSyncStep2,
			payload: "0000",
			ok:      true,
		},
		{
			name:    "awareness",
			hex:     "01050102030405",
			typ:     ywsAwareness,
			payload: "050102030405",
			ok:      true,
		},
		{
			name: "short sync payload",
			hex:  "000205aa",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			typ, sub, p, ok := ywsMessage(b)
			if ok != tc.ok || (ok && (typ != tc.typ || sub != tc.sub || hex.EncodeToString(p) != tc.payload)) {
				t.Errorf("got %d %d %x %v", typ, sub, p, ok)
			}
		})
	}
	if hex.EncodeToString([]byte(ywsEmptySyncStep1)) != "00000100" || hex.EncodeToString([]byte(ywsEmptySyncStep2)) != "0001020000" {
		t.Error("empty sync messages differ from the yjs vectors")
	}
}

func TestYFirstString_OtherStructs(t *testing.T) {
	// A map set from the protocol vectors (ContentAny, not a string).
	u, _ := hex.DecodeString("010107002801016d016b0177017600")
	if _, _, ok := yFirstString(u); ok {
		t.Error("map set read as a string item")
	}
	for _, bad := range []string{"", "00", "0101", "01010100", "0101010004"} {
		b, _ := hex.DecodeString(bad)
		if _, _, ok := yFirstString(b); ok {
			t.Errorf("%q read as ok", bad)
		}
	}
	if v, ok := leadingInt([]byte("12345 ")); !ok || v != 12345 {
		t.Errorf("leadingInt = %d %v", v, ok)
	}
	if _, ok := leadingInt([]byte("x1")); ok {
		t.Error("leadingInt accepted a non-digit")
	}
}
