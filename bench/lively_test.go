package bench

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// livelyDecodeCases are server (and relay) messages with what the harness
// must read from them; each runs as JSON and as msgpack.
var livelyDecodeCases = []struct {
	name string
	json string
	want livelyMsg
}{
	{
		name: "server cursor",
		json: `{"type":"cursor:update","cursor":{"userId":"u","displayName":"x \"y\"","color":"#fff","x":123456,"y":7,"lastUpdate":1795360473497}}`,
		want: livelyMsg{kind: kindCursor, stamp: 123456, hasStamp: true, sender: 7, hasSender: true},
	},
	{
		name: "relayed raw cursor",
		json: `{"type":"cursor:update","x":42,"y":1}`,
		want: livelyMsg{kind: kindCursor, stamp: 42, hasStamp: true, sender: 1, hasSender: true},
	},
	{
		name: "float cursor and type last",
		json: ` { "cursor" : { "x" : 9.0e3 } , "type" : "cursor:update" } `,
		want: livelyMsg{kind: kindCursor, stamp: 9000, hasStamp: true},
	},
	{
		name: "presence",
		json: `{"type":"presence","users":[{"userId":"a","metadata":{"userId":"nested"}},{"displayName":"b","userId":"b"}]}`,
		want: livelyMsg{kind: kindPresence, users: [][]byte{[]byte("a"), []byte("b")}},
	},
	{
		name: "storage init null",
		json: `{"type":"storage:init","root":null}`,
		want: livelyMsg{kind: kindStorageInit, rootNull: true},
	},
	{
		name: "storage init object",
		json: `{"type":"storage:init","root":{"type":"LiveObject","data":{"c0":5}}}`,
		want: livelyMsg{kind: kindStorageInit},
	},
	{
		name: "storage ops",
		json: `{"type":"storage:ops","ops":[{"type":"set","path":[],"key":"c1","value":777,"clock":3},{"type":"set","value":1}],"clock":12}`,
		want: livelyMsg{kind: kindStorageOps, stamp: 777, hasStamp: true, key: []byte("c1"), clock: 12},
	},
	{
		name: "other",
		json: `{"type":"state:init","states":{"k":{"value":{"x":1}}}}`,
		want: livelyMsg{kind: kindOther},
	},
}

func TestDecodeLively_JSONAndMsgpack(t *testing.T) {
	for _, tc := range livelyDecodeCases {
		t.Run(tc.name, func(t *testing.T) {
			var got livelyMsg
			if !decodeLively(encodingJSON, []byte(tc.json), &got) {
				t.Fatalf("json: not decoded")
			}
			checkLivelyMsg(t, "json", got, tc.want)

			var v any
			if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
				t.Fatal(err)
			}
			mp, err := msgpack.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got = livelyMsg{}
			if !decodeLively(encodingMsgpack, mp, &got) {
				t.Fatalf("msgpack: not decoded")
			}
			checkLivelyMsg(t, "msgpack", got, tc.want)
		})
	}
}

func checkLivelyMsg(t *testing.T, enc string, got, want livelyMsg) {
	t.Helper()
	if len(got.users) == 0 {
		got.users = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %+v, want %+v", enc, got, want)
	}
}

func TestDecodeLively_Malformed(t *testing.T) {
	for _, in := range []string{``, `null`, `[1]`, `{"type":"presence","users":[{"userId":`, `{"a" 1}`, `"str"`} {
		var m livelyMsg
		if decodeLively(encodingJSON, []byte(in), &m) && m.kind != kindOther {
			t.Errorf("%q decoded as %+v", in, m)
		}
	}
	for _, in := range [][]byte{nil, {0x81}, {0x81, 0xa4, 't', 'y', 'p', 'e'}, {0xdf, 0xff, 0xff, 0xff, 0xff}, {0xc1}} {
		var m livelyMsg
		if decodeLively(encodingMsgpack, in, &m) && m.kind != kindOther {
			t.Errorf("%x decoded as %+v", in, m)
		}
	}
}

func TestLivelyEncoder_MessagesDecodeAsExpected(t *testing.T) {
	for _, enc := range []encoding{encodingJSON, encodingMsgpack} {
		w := &livelyEncoder{enc: enc}
		cases := []struct {
			name string
			msg  []byte
			want map[string]any
		}{
			{
				name: "heartbeat",
				msg:  clone(w.heartbeat()),
				want: map[string]any{"type": "heartbeat"},
			},
			{
				name: "cursor",
				msg:  clone(w.cursor(5_000_000_123, 42)),
				want: map[string]any{"type": "cursor:update", "x": float64(5_000_000_123), "y": float64(42)},
			},
			{
				name: "storage init",
				msg:  clone(w.storageInit()),
				want: map[string]any{"type": "storage:init", "root": map[string]any{"type": "LiveObject", "data": map[string]any{}}},
			},
			{
				name: "storage set",
				msg:  clone(w.storageSet("c\"1", 99, 3)),
				want: map[string]any{"type": "storage:ops", "ops": []any{map[string]any{
					"type": "set", "path": []any{}, "key": "c\"1", "value": float64(99), "clock": float64(3)}}},
			},
		}
		for _, tc := range cases {
			t.Run(enc.String()+"/"+tc.name, func(t *testing.T) {
				got := decodeGeneric(t, enc, tc.msg)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %#v, want %#v", got, tc.want)
				}
			})
		}
	}
}

// decodeGeneric decodes with the reference libraries, numbers as float64.
func decodeGeneric(t *testing.T, enc encoding, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if enc == encodingJSON {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return v
	}
	var raw any
	if err := msgpack.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%x: %v", b, err)
	}
	j, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// clone copies an encoder result, which is valid only until the next call.
func clone(b []byte) []byte { return append([]byte(nil), b...) }
