package codec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// ywsVectors is the "sync" and "awareness" part of protocol.json, generated with y-protocols by
// /work/shared/yjs/gen-protocol-vectors.mjs (copy kept in crdt/yjs/testdata/vectors).
type ywsVectors struct {
	Sync      map[string]string `json:"sync"`
	Awareness struct {
		Update  string `json:"update"`
		Framed  string `json:"framed"`
		Removal string `json:"removal"`
	} `json:"awareness"`
}

func loadYwsVectors(t *testing.T) ywsVectors {
	t.Helper()
	raw, err := os.ReadFile("../crdt/yjs/testdata/vectors/protocol.json")
	if err != nil {
		t.Fatal(err)
	}
	var v ywsVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Sync) < 8 || v.Awareness.Update == "" {
		t.Fatalf("protocol.json lacks the sync/awareness vectors: %+v", v)
	}
	return v
}

func ywsHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeYMessage_ProtocolVectors(t *testing.T) {
	v := loadYwsVectors(t)
	// the update carried by step2/update: the doc of client 7 with m.k = "v"
	update := "0101070028" + "01016d016b0177017600"
	cases := []struct {
		name   string
		want   YMessage
		encode func() []byte
	}{
		{"step1", &YMsgSync{Sub: YSyncStep1, Payload: ywsHex(t, "010701")}, func() []byte { return AppendYSyncStep1(nil, ywsHex(t, "010701")) }},
		{"step2Full", &YMsgSync{Sub: YSyncStep2, Payload: ywsHex(t, update)}, func() []byte { return AppendYSyncStep2(nil, ywsHex(t, update)) }},
		{"step2ForEmptySv", &YMsgSync{Sub: YSyncStep2, Payload: ywsHex(t, update)}, func() []byte { return AppendYSyncStep2(nil, ywsHex(t, update)) }},
		{"update", &YMsgSync{Sub: YSyncUpdate, Payload: ywsHex(t, update)}, func() []byte { return AppendYUpdate(nil, ywsHex(t, update)) }},
		{"emptyDocStep1", &YMsgSync{Sub: YSyncStep1, Payload: []byte{0}}, func() []byte { return AppendYSyncStep1(nil, []byte{0}) }},
		{"emptyDocStep2", &YMsgSync{Sub: YSyncStep2, Payload: []byte{0, 0}}, func() []byte { return AppendYSyncStep2(nil, []byte{0, 0}) }},
		{"queryAwareness", &YMsgQueryAwareness{}, func() []byte { return AppendYQueryAwareness(nil) }},
		{"authPermissionDenied", &YMsgAuth{Type: 0, Reason: "nope"}, func() []byte { return AppendYAuthDenied(nil, "nope") }},
	}
	if len(cases) != len(v.Sync) {
		t.Fatalf("%d cases for %d vectors", len(cases), len(v.Sync))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, ok := v.Sync[c.name]
			if !ok {
				t.Fatalf("no vector %s", c.name)
			}
			got, err := DecodeYMessage(ywsHex(t, want))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("decoded %#v, want %#v", got, c.want)
			}
			if enc := hex.EncodeToString(c.encode()); enc != want {
				t.Fatalf("encoded %s, want %s", enc, want)
			}
		})
	}
}

func TestAwarenessUpdate_ProtocolVectors(t *testing.T) {
	v := loadYwsVectors(t)
	state := `{"user":{"name":"Ann","color":"#f00"},"cursor":null}`
	entries, err := DecodeAwarenessUpdate(ywsHex(t, v.Awareness.Update))
	if err != nil {
		t.Fatal(err)
	}
	want := []AwarenessEntry{{ClientID: 42, Clock: 1, State: []byte(state)}}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("decoded %+v", entries)
	}
	if entries[0].Removed() {
		t.Fatal("a state is not a removal")
	}
	if got := hex.EncodeToString(AppendAwarenessUpdate(nil, entries)); got != v.Awareness.Update {
		t.Fatalf("encoded %s, want %s", got, v.Awareness.Update)
	}
	framed := AppendYAwareness(nil, ywsHex(t, v.Awareness.Update))
	if got := hex.EncodeToString(framed); got != v.Awareness.Framed {
		t.Fatalf("framed %s, want %s", got, v.Awareness.Framed)
	}
	m, err := DecodeYMessage(framed)
	if err != nil {
		t.Fatal(err)
	}
	if aw, ok := m.(*YMsgAwareness); !ok || hex.EncodeToString(aw.Update) != v.Awareness.Update {
		t.Fatalf("decoded %#v", m)
	}

	removal, err := DecodeAwarenessUpdate(ywsHex(t, v.Awareness.Removal))
	if err != nil {
		t.Fatal(err)
	}
	if len(removal) != 1 || removal[0].ClientID != 42 || removal[0].Clock != 2 || !removal[0].Removed() {
		t.Fatalf("removal decoded as %+v", removal)
	}
	if got := hex.EncodeToString(AppendAwarenessUpdate(nil, []AwarenessEntry{{ClientID: 42, Clock: 2}})); got != v.Awareness.Removal {
		t.Fatalf("removal encoded %s, want %s", got, v.Awareness.Removal)
	}
}

func TestDecodeYMessage_SyncStatusRoundTrip(t *testing.T) {
	for _, p := range [][]byte{{}, {1, 2, 3}, bytes.Repeat([]byte{0xaa}, 300)} {
		b := AppendYSyncStatus(nil, p)
		if b[0] != 102 {
			t.Fatalf("type byte %d", b[0])
		}
		m, err := DecodeYMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := m.(*YMsgSyncStatus); !ok || !bytes.Equal(s.Payload, p) {
			t.Fatalf("decoded %#v", m)
		}
	}
}

func TestDecodeYMessage_Errors(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		unknown bool
	}{
		{"empty", "", false},
		{"unknown type", "05", true},
		{"unknown large type", "e807", true},
		{"unknown sync sub-type", "000300", true},
		{"sync without sub-type", "00", false},
		{"sync truncated payload", "000105aabb", false},
		{"sync huge length", "0002ffffffffffffffff7f", false},
		{"awareness truncated", "0102aa", false},
		{"auth denied without reason", "0200", false},
		{"auth reason not UTF-8", "020002c328", false},
		{"sync status truncated", "6603aa", false},
		{"varUint beyond 64 bits", "ffffffffffffffffffff7f", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeYMessage(ywsHex(t, c.in))
			if err == nil {
				t.Fatalf("decoded %#v", m)
			}
			if c.unknown {
				var ue *YwsUnknownTypeError
				if !errors.Is(err, ErrYwsUnknownType) || !errors.As(err, &ue) {
					t.Fatalf("error %v is not an unknown-type error", err)
				}
				return
			}
			if !errors.Is(err, ErrYwsMalformed) {
				t.Fatalf("error %v does not wrap ErrYwsMalformed", err)
			}
		})
	}
}

func TestDecodeYMessage_TrailingBytesIgnored(t *testing.T) {
	m, err := DecodeYMessage(ywsHex(t, "000001000102"))
	if err != nil {
		t.Fatal(err)
	}
	if s := m.(*YMsgSync); s.Sub != YSyncStep1 || !bytes.Equal(s.Payload, []byte{0}) {
		t.Fatalf("decoded %#v", m)
	}
	// auth types other than "denied" carry nothing we read
	m, err = DecodeYMessage(ywsHex(t, "0201ff"))
	if err != nil || !reflect.DeepEqual(m, &YMsgAuth{Type: 1}) {
		t.Fatalf("decoded %#v, %v", m, err)
	}
}

func TestDecodeYMessage_PayloadIsACopy(t *testing.T) {
	in := AppendYUpdate(nil, []byte{1, 2, 3})
	m, err := DecodeYMessage(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0xff
	}
	if p := m.(*YMsgSync).Payload; !bytes.Equal(p, []byte{1, 2, 3}) {
		t.Fatalf("payload aliases the input: %x", p)
	}
}

func TestDecodeAwarenessUpdate_Errors(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":           {},
		"huge count":      {0xff, 0xff, 0xff, 0x0f},
		"truncated entry": {1, 42},
		"state not JSON":  append([]byte{1, 42, 1, 3}, "{a:"...),
		"state not UTF-8": {1, 42, 1, 3, '"', 0xc3, '"'},
		"state too long":  {1, 42, 1, 9, 'n', 'u', 'l', 'l'},
	} {
		t.Run(name, func(t *testing.T) {
			if e, err := DecodeAwarenessUpdate(in); !errors.Is(err, ErrYwsMalformed) {
				t.Fatalf("got %+v, %v", e, err)
			}
		})
	}
}

func TestAwarenessEntry_Removed(t *testing.T) {
	for state, want := range map[string]bool{"null": true, " null\n": true, "{}": false, `"null"`: false, "0": false} {
		if got := (AwarenessEntry{State: []byte(state)}).Removed(); got != want {
			t.Errorf("Removed(%q) = %v", state, got)
		}
	}
}

func TestAppendYAuthDenied_InvalidUTF8Replaced(t *testing.T) {
	m, err := DecodeYMessage(AppendYAuthDenied(nil, "bad\xffreason"))
	if err != nil {
		t.Fatal(err)
	}
	if a := m.(*YMsgAuth); a.Reason != "bad\ufffdreason" {
		t.Fatalf("reason %q", a.Reason)
	}
}
