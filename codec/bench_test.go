package codec

import (
	"strconv"
	"testing"
)

// Inbound messages as the stock client sends them.
var benchInbound = map[string]string{
	"Cursor":    `{"type":"cursor:update","x":512.5,"y":233,"viewportPos":{"x":0,"y":120},"viewportScale":1,"cursorType":"pointer","space":"pixel"}`,
	"Heartbeat": `{"type":"heartbeat"}`,
	"State":     `{"type":"state:update","key":"selection","value":{"id":"shape-42","color":"#ff0"},"timestamp":1732300000000,"merge":true}`,
	"Ops":       `{"type":"storage:ops","ops":[{"type":"set","path":["todos"],"key":"a1","value":{"type":"LiveObject","data":{"text":"buy milk","done":false}},"clock":17}]}`,
	"Custom":    `{"type":"reaction","emoji":"🎉","at":{"x":10,"y":20}}`,
}

func BenchmarkDecodeJSON(b *testing.B) {
	for _, name := range []string{"Cursor", "Heartbeat", "State", "Ops", "Custom"} {
		data := []byte(benchInbound[name])
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := DecodeJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeMsgpack_Cursor(b *testing.B) {
	mp, err := JSONToMsgpack(nil, []byte(benchInbound["Cursor"]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(mp)))
	for b.Loop() {
		if _, err := DecodeMsgpack(mp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendCursor is the relay's encoding of a cursor, done once per
// broadcast.
func BenchmarkAppendCursor(b *testing.B) {
	m, err := DecodeJSON([]byte(benchInbound["Cursor"]))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCursor(buf[:0], "user-1", "Alice", "#E57373", &m.Cursor, 1732300000000)
	}
}

// BenchmarkJSONToMsgpack transcodes a broadcast for msgpack members: a
// relayed cursor, and a presence list of 200 users. impl=encoding-json is
// the transcoder JSONToMsgpack replaced, measured in the same run.
func BenchmarkJSONToMsgpack(b *testing.B) {
	cursor := []byte(`{"type":"cursor:update","cursor":{"userId":"user-1","displayName":"Alice","color":"#E57373","x":512.5,"y":233,"lastUpdate":1732300000000,"viewportPos":{"x":0,"y":120},"cursorType":"pointer"}}`)
	var list []byte
	list = append(list, `{"type":"presence","users":[`...)
	for i := range 200 {
		if i > 0 {
			list = append(list, ',')
		}
		list = append(list, `{"userId":"user-`...)
		list = strconv.AppendInt(list, int64(i), 10)
		list = append(list, `","displayName":"User","color":"#4DB6AC","connectedAt":1732300000000,"onlineStatus":"online","lastActiveAt":1732300000000,"isIdle":false,"location":"/doc/7","metadata":{"role":"editor"}}`...)
	}
	list = append(list, `]}`...)
	for _, in := range []struct {
		name string
		data []byte
	}{{"Cursor", cursor}, {"Presence200", list}} {
		for _, impl := range []struct {
			name string
			fn   func(dst, data []byte) ([]byte, error)
		}{{"scanner", JSONToMsgpack}, {"encoding-json", jsonToMsgpackRef}} {
			b.Run(in.name+"/impl="+impl.name, func(b *testing.B) {
				buf := make([]byte, 0, len(in.data))
				b.ReportAllocs()
				b.SetBytes(int64(len(in.data)))
				for b.Loop() {
					var err error
					if buf, err = impl.fn(buf[:0], in.data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
