package codec

import "testing"

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
