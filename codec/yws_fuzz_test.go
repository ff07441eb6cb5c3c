package codec

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeYMessage feeds each input whole and split in two. Whatever decodes must re-encode to a
// message that decodes to the same value; awareness payloads are decoded too.
func FuzzDecodeYMessage(f *testing.F) {
	for _, s := range []string{
		"000003010701", "00010f010107002801016d016b0177017600", "00020f010107002801016d016b0177017600",
		"00000100", "0001020000", "03", "0200046e6f7065", "6603010203", "05", "000300",
		"0138012a01347b2275736572223a7b226e616d65223a22416e6e222c22636f6c6f72223a2223663030227d2c22637572736f72223a6e756c6c7d",
		"0108012a02046e756c6c",
	} {
		f.Add(ywsHexF(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkYMessage(t, data)
		checkYMessage(t, data[:len(data)/2])
		checkYMessage(t, data[len(data)/2:])
		if e, err := DecodeAwarenessUpdate(data); err == nil {
			again, err := DecodeAwarenessUpdate(AppendAwarenessUpdate(nil, e))
			if err != nil || !reflect.DeepEqual(again, e) {
				t.Fatalf("awareness round trip: %+v -> %+v (%v)", e, again, err)
			}
		}
	})
}

func checkYMessage(t *testing.T, data []byte) {
	m, err := DecodeYMessage(data)
	if err != nil {
		if m != nil {
			t.Fatal("message and error")
		}
		if !errors.Is(err, ErrYwsUnknownType) && !errors.Is(err, ErrYwsMalformed) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
		return
	}
	var enc []byte
	switch v := m.(type) {
	case *YMsgSync:
		enc = appendYSync(nil, v.Sub, v.Payload)
	case *YMsgAwareness:
		enc = AppendYAwareness(nil, v.Update)
		_, _ = DecodeAwarenessUpdate(v.Update)
	case *YMsgAuth:
		if v.Type != 0 {
			return
		}
		enc = AppendYAuthDenied(nil, v.Reason)
	case *YMsgQueryAwareness:
		enc = AppendYQueryAwareness(nil)
	case *YMsgSyncStatus:
		enc = AppendYSyncStatus(nil, v.Payload)
	default:
		t.Fatalf("unexpected message %T", m)
	}
	again, err := DecodeYMessage(enc)
	if err != nil || !reflect.DeepEqual(again, m) {
		t.Fatalf("round trip of %x: %#v -> %#v (%v)", data, m, again, err)
	}
	if len(enc) > len(data) {
		t.Fatalf("re-encoding grew: %x -> %x", data, enc)
	}
}

func ywsHexF(f *testing.F, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
