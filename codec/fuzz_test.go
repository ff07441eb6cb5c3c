package codec

import "testing"

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`null`, `{"type":"cursor:update","x":1,"y":2}`, `{"type":"state:update","key":"k","value":{},"timestamp":1,"merge":true}`,
		`{"type":"storage:ops","ops":[null]}`, `{"type":"presence:update","metadata":null}`, `{"type":"yjs:update","data":"!!"}`, `[{"type":1}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeJSON(data)
		if err == nil {
			if m == nil {
				t.Fatal("nil message without error")
			}
			if m.Kind == KindCursorUpdate {
				_ = AppendCursor(nil, "u", "n", "c", &m.Cursor, 1)
			}
			if m.Kind == KindStateUpdate && m.State.Merge && m.State.Value != nil && IsObjectLike(m.State.Value) {
				_, _ = ShallowMerge(m.State.Value, m.State.Value)
			}
			if mp, err := JSONToMsgpack(nil, data); err == nil {
				if _, err := MsgpackToJSON(nil, mp); err != nil {
					t.Fatalf("msgpack of valid JSON does not transcode back: %v", err)
				}
			}
		}
		// Split in two: each half alone must not panic either.
		_, _ = DecodeJSON(data[:len(data)/2])
	})
}

func FuzzDecodeMsgpack(f *testing.F) {
	for _, s := range []string{`{"type":"heartbeat"}`, `{"type":"cursor:update","x":1.5,"y":-2}`, `{"a":[1,{"b":null}]}`} {
		mp, _ := JSONToMsgpack(nil, []byte(s))
		f.Add(mp)
	}
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeMsgpack(data)
		_, _ = DecodeMsgpack(data[:len(data)/2])
	})
}
