package codec

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestAppendNumber_JSSpelling(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1, "-1"}, {1.5, "1.5"}, {0.1, "0.1"},
		{1e21, "1e+21"}, {1e20, "100000000000000000000"}, {1.2345e-7, "1.2345e-7"}, {0.000001, "0.000001"},
		{123456789012345680000, "123456789012345680000"}, {-2.5e-10, "-2.5e-10"}, {1795360473195, "1795360473195"},
		{math.Inf(1), "null"}, {math.NaN(), "null"}, {3.14159, "3.14159"}, {1e100, "1e+100"}, {5e-324, "5e-324"},
	}
	for _, c := range cases {
		if got := string(AppendNumber(nil, c.f)); got != c.want {
			t.Errorf("AppendNumber(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestAppendString_NoHTMLEscape(t *testing.T) {
	got := string(AppendString(nil, "<a href=\"x\">&\u2028\n\t\x01\\é😀\xff"))
	want := `"<a href=\"x\">&` + "\u2028" + `\n\t\u0001\\é😀\ufffd"`
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestDecodeJSON_DropsBadInput(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`null`, ErrNotObject}, {`5`, ErrNotObject}, {`"str"`, ErrNotObject}, {`[1]`, ErrNotObject},
		{`{`, ErrInvalidJSON}, {`{"type":5}`, ErrNoType}, {`{}`, ErrNoType}, {`{"type":null}`, ErrNoType},
		{`{"type":"cursor:update","x":1}`, ErrInvalidField}, {`{"type":"cursor:update","x":"1","y":2}`, ErrInvalidField},
		{`{"type":"cursor:update","x":1e999,"y":2}`, ErrInvalidField},
		{`{"type":"state:update","key":"","timestamp":1}`, ErrInvalidField},
		{`{"type":"state:update","key":"k","timestamp":"1"}`, ErrInvalidField},
		{`{"type":"storage:init","root":[1]}`, ErrInvalidField}, {`{"type":"storage:init"}`, ErrInvalidField},
		{`{"type":"storage:init","root":5}`, ErrInvalidField},
		{`{"type":"storage:ops","ops":[]}`, ErrInvalidField}, {`{"type":"storage:ops","ops":{}}`, ErrInvalidField},
		{`{"type":"storage:ops"}`, ErrInvalidField},
		{`{"type":"yjs:update","data":5}`, ErrInvalidField}, {`{"type":"yjs:sync-step1"}`, ErrInvalidField},
		{"\xff\xfe", ErrInvalidJSON}, {``, ErrInvalidJSON},
	}
	for _, c := range cases {
		_, err := DecodeJSON([]byte(c.in))
		if !errors.Is(err, c.want) {
			t.Errorf("DecodeJSON(%q) err = %v, want %v", c.in, err, c.want)
		}
	}
}

func TestDecodeJSON_Kinds(t *testing.T) {
	m, err := DecodeJSON([]byte(`{"type":"presence:update","location":null,"metadata":{"a":1}}`))
	if err != nil || m.Kind != KindPresenceUpdate {
		t.Fatal(m, err)
	}
	if string(m.Presence.Location) != "null" || string(m.Presence.Metadata) != `{"a":1}` || m.Presence.OnlineStatus != nil {
		t.Fatalf("presence fields %+v", m.Presence)
	}
	m, err = DecodeJSON([]byte(`{"type":"presence","users":[]}`))
	if err != nil || m.Kind != KindCustom || m.Type != "presence" {
		t.Fatal("server types sent by a client are custom", m, err)
	}
	m, err = DecodeJSON([]byte(`{"type":"state:update","key":"k","value":{"a":1},"timestamp":5,"merge":1}`))
	if err != nil || !m.State.Merge || m.State.Timestamp != 5 || m.State.Key != "k" {
		t.Fatal(m, err)
	}
	m, err = DecodeJSON([]byte(`{"type":"storage:init","root":null}`))
	if err != nil || string(m.Root) != "null" {
		t.Fatal(m, err)
	}
	m, err = DecodeJSON([]byte(`{"type":"yjs:update","data":"AAA\u003d"}`))
	if err != nil || m.Data != "AAA=" {
		t.Fatal(m, err)
	}
}

func TestDecodeJSON_CursorOptionalFields(t *testing.T) {
	in := `{"type":"cursor:update","x":1.0,"y":2,"viewportPos":{"x":1,"y":2,"z":"keep"},"viewportScale":"big",` +
		`"cursorType":"wait","highlightRect":{"left":0,"top":0,"width":-1,"height":1},"space":"fraction","evil":1}`
	m, err := DecodeJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(AppendCursor(nil, "alice", "Alice", "#ef4444", &m.Cursor, 7))
	want := `{"type":"cursor:update","cursor":{"userId":"alice","displayName":"Alice","color":"#ef4444","x":1,"y":2,"lastUpdate":7,"viewportPos":{"x":1,"y":2,"z":"keep"},"space":"fraction"}}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestAppendPresence_KeyOrder(t *testing.T) {
	u := []PresenceEntry{{UserID: "alice", DisplayName: "Alice", Color: "#ef4444", ConnectedAt: 1, LastActiveAt: 2, Metadata: []byte(`{"m":1}`)}}
	got := string(AppendPresence(nil, u))
	want := `{"type":"presence","users":[{"userId":"alice","displayName":"Alice","color":"#ef4444","connectedAt":1,"onlineStatus":"online","lastActiveAt":2,"isIdle":false,"metadata":{"m":1}}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestShallowMerge_JSOrder(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{`{"a":1,"b":2}`, `{"b":3,"c":4}`, `{"a":1,"b":3,"c":4}`},
		{`{"b":1}`, `{"10":2,"2":3,"x":4}`, `{"2":3,"10":2,"b":1,"x":4}`},
		{`[5,6]`, `{"a":1}`, `{"0":5,"1":6,"a":1}`},
		{`{"01":1}`, `{"4294967295":2}`, `{"01":1,"4294967295":2}`},
	}
	for _, c := range cases {
		got, err := ShallowMerge([]byte(c.a), []byte(c.b))
		if err != nil || string(got) != c.want {
			t.Errorf("merge(%s,%s) = %s %v want %s", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := ShallowMerge([]byte(`5`), []byte(`{}`)); err == nil {
		t.Fatal("merging a number must fail")
	}
}

func TestMsgpack_RoundTripKeepsOrder(t *testing.T) {
	in := `{"type":"custom","z":1,"a":[1,2.5,"s",null,true,{"k":-3}],"big":12345678901,"f":1e300}`
	mp, err := JSONToMsgpack(nil, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	back, err := MsgpackToJSON(nil, mp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"custom","z":1,"a":[1,2.5,"s",null,true,{"k":-3}],"big":12345678901,"f":1e+300}`
	if string(back) != want {
		t.Fatalf("got %s", back)
	}
	m, err := DecodeMsgpack(mp)
	if err != nil || m.Type != "custom" {
		t.Fatal(m, err)
	}
	if _, err := MsgpackToJSON(nil, append(mp, 0)); err == nil {
		t.Fatal("trailing bytes accepted")
	}
	if _, err := MsgpackToJSON(nil, []byte{0xdd, 0xff, 0xff, 0xff, 0xff}); err == nil {
		t.Fatal("hostile array length accepted")
	}
}

func TestReason_Bounded(t *testing.T) {
	if Reason(ErrNoType) != "no_type" || Reason(errors.New("x")) != "other" || Reason(nil) != "ok" {
		t.Fatal("reason labels")
	}
	if !bytes.Equal(AppendStorageInit(nil, nil), []byte(`{"type":"storage:init","root":null}`)) {
		t.Fatal("storage init null")
	}
}
