package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

func TestAppendFrame_RoundTripThroughGobwas(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 200000} {
		for _, masked := range []bool{false, true} {
			payload := bytes.Repeat([]byte{'a', 'b', 'c'}, n/3+1)[:n]
			orig := append([]byte(nil), payload...)
			frame := appendFrame(nil, ws.OpBinary, payload, masked, [4]byte{1, 2, 3, 4})
			if !bytes.Equal(payload, orig) {
				t.Fatalf("n=%d: payload modified", n)
			}
			f, err := ws.ReadFrame(bytes.NewReader(frame))
			if err != nil {
				t.Fatalf("n=%d masked=%v: %v", n, masked, err)
			}
			if f.Header.Masked != masked || !f.Header.Fin || f.Header.OpCode != ws.OpBinary {
				t.Fatalf("n=%d: header %+v", n, f.Header)
			}
			if masked {
				f = ws.UnmaskFrameInPlace(f)
			}
			if !bytes.Equal(f.Payload, orig) {
				t.Fatalf("n=%d masked=%v: payload differs", n, masked)
			}
		}
	}
}

func TestFrameReader_Next_ReassemblesAndPassesControl(t *testing.T) {
	var buf bytes.Buffer
	// A fragmented text message with a ping in the middle, as a client sends it.
	w := wsutil.NewWriterSize(&buf, ws.StateClientSide, ws.OpText, 8)
	w.Write([]byte("hello, fragmented world"))
	w.Flush()
	raw := buf.Bytes()
	// Insert a ping after the first fragment.
	first, _ := ws.ReadHeader(bytes.NewReader(raw))
	cut := ws.HeaderSize(first) + int(first.Length)
	var in bytes.Buffer
	in.Write(raw[:cut])
	ws.WriteFrame(&in, ws.MaskFrame(ws.NewPingFrame([]byte("p"))))
	in.Write(raw[cut:])
	in.Write(appendFrame(nil, ws.OpBinary, []byte{0, 1}, false, [4]byte{}))

	fr := newFrameReader(bufio.NewReader(&in), 1<<20)
	want := []struct {
		op ws.OpCode
		p  string
	}{
		{ws.OpPing, "p"},
		{ws.OpText, "hello, fragmented world"},
		{ws.OpBinary, "\x00\x01"},
	}
	for _, w := range want {
		op, p, err := fr.next()
		if err != nil || op != w.op || string(p) != w.p {
			t.Fatalf("next = %v %q %v, want %v %q", op, p, err, w.op, w.p)
		}
	}
	if _, _, err := fr.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

func TestFrameReader_Next_Errors(t *testing.T) {
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{
			name:  "too big",
			input: appendFrame(nil, ws.OpText, make([]byte, 100), false, [4]byte{}),
			want:  errFrameTooBig,
		},
		{
			name:  "continuation first",
			input: appendFrame(nil, ws.OpContinuation, []byte("x"), false, [4]byte{}),
			want:  errFrameInvalid,
		},
		{
			name:  "reserved bits",
			input: []byte{0x80 | 0x40 | byte(ws.OpText), 0},
			want:  errFrameInvalid,
		},
		{
			name:  "long control frame",
			input: []byte{0x80 | byte(ws.OpPing), 126, 0, 200},
			want:  errFrameInvalid,
		},
		{
			name:  "truncated payload",
			input: []byte{0x80 | byte(ws.OpText), 5, 'a'},
			want:  io.ErrUnexpectedEOF,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fr := newFrameReader(bufio.NewReader(bytes.NewReader(tc.input)), 64)
			if _, _, err := fr.next(); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}
