package codec

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkTranscodeAgainstRef: JSONToMsgpack and the encoding/json +
// msgpack.Encoder reference accept the same documents and write the same
// bytes.
func checkTranscodeAgainstRef(t *testing.T, data []byte) {
	t.Helper()
	got, err := JSONToMsgpack(nil, data)
	want, werr := jsonToMsgpackRef(nil, data)
	if (err == nil) != (werr == nil) {
		t.Fatalf("JSONToMsgpack err %v, reference err %v, for %q", err, werr, data)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("JSONToMsgpack %x, reference %x, for %q", got, want, data)
	}
}

func TestJSONToMsgpack_MatchesReference(t *testing.T) {
	for _, s := range []string{
		`null`, `true`, `false`, `0`, `-0`, `-0.0`, `1.0`, `127`, `128`, `255`, `256`, `65535`, `65536`,
		`4294967295`, `4294967296`, `9223372036854775807`, `9223372036854775808`, `-1`, `-32`, `-33`,
		`-128`, `-129`, `-32768`, `-32769`, `-2147483648`, `-2147483649`, `-9223372036854775808`,
		`1.5`, `-2.25e-3`, `1e300`, `1e400`, `-1e400`, `1E2`, `""`, `"a"`, `"` + strings.Repeat("x", 31) + `"`,
		`"` + strings.Repeat("x", 32) + `"`, `"` + strings.Repeat("y", 255) + `"`, `"` + strings.Repeat("y", 256) + `"`,
		`"` + strings.Repeat("z", 70000) + `"`, `"\u00e9\n\"\ud83d\ude00"`, `"\ud800"`, "\"\xff\xfe\"", `"é😀"`,
		`{}`, `[]`, ` { "a" : [ 1 , 2 ] , "b" : { } } `, `{"a":1,"a":2}`, `[` + strings.Repeat(`1,`, 15) + `1]`,
		`[` + strings.Repeat(`1,`, 16) + `1]`, `[` + strings.Repeat(`0,`, 70000) + `0]`,
		`{"type":"cursor:update","x":512.5,"y":233,"viewportPos":{"x":0,"y":120}}`,
		`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{1:2}`, `[1 2]`, `{"a":1}x`, `01`, `1.`, `-`, `tru`, ``, ` `,
		strings.Repeat(`[`, 600) + strings.Repeat(`]`, 600), strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100),
	} {
		checkTranscodeAgainstRef(t, []byte(s))
	}
	var big strings.Builder
	big.WriteString(`{`)
	for i := range 70000 {
		if i > 0 {
			big.WriteString(`,`)
		}
		big.WriteString(`"k` + strings.Repeat("x", i%7) + `":` + []string{"1", "-7", "2.5", `"s"`, "null", "[]"}[i%6])
	}
	big.WriteString(`}`)
	checkTranscodeAgainstRef(t, []byte(big.String()))
}

func TestJSONToMsgpack_RandomDocumentsAndMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(`{}[]:,"\ -+.eE0123456789tfnrulasx` + "\t\n\x00\xff")
	for range 20000 {
		var b bytes.Buffer
		randomJSON(r, &b, 0)
		doc := b.Bytes()
		checkTranscodeAgainstRef(t, doc)
		if len(doc) == 0 {
			continue
		}
		checkTranscodeAgainstRef(t, mutate(r, doc, alphabet))
	}
}

func FuzzJSONToMsgpack(f *testing.F) {
	for _, s := range []string{`{"type":"presence","users":[{"userId":"u","x":1.5}]}`, `[1,-200,70000,1e400,"é"]`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTranscodeAgainstRef(t, data)
	})
}

// checkMsgpackToJSONAgainstRef: MsgpackToJSON and the msgpack.Decoder
// reference accept the same bytes and write the same JSON.
func checkMsgpackToJSONAgainstRef(t *testing.T, data []byte) {
	t.Helper()
	got, err := MsgpackToJSON(nil, data)
	want, werr := msgpackToJSONRef(nil, data)
	if (err == nil) != (werr == nil) {
		t.Fatalf("MsgpackToJSON err %v, reference err %v, for %x", err, werr, data)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("MsgpackToJSON %s, reference %s, for %x", got, want, data)
	}
}

func TestMsgpackToJSON_MatchesReference(t *testing.T) {
	for _, h := range []string{
		"c0", "c2", "c3", "00", "7f", "ff", "e0", "cc80", "cdffff", "ceffffffff", "cfffffffffffffffff",
		"d080", "d18000", "d280000000", "d38000000000000000", "ca3fc00000", "cb3ff8000000000000",
		"cb7ff0000000000000", "cb7ff8000000000000", "a161", "d90161", "da000161", "db0000000161", "a2c3a9",
		"a1ff", "a10a", "90", "9101", "dc000101", "dd0000000101", "80", "81a16101", "de0001a16101",
		"df00000001a16101", "8101a162", "81ffa162", "81cfffffffffffffffffa162", "81c0a162", "81a1", "91",
		"c4016100", "c70101ff", "d4ff00", "c1", "", "0000", "dc", "a5616263", "ca3f",
	} {
		checkMsgpackToJSONAgainstRef(t, mustHex(t, h))
	}
	deep := bytes.Repeat([]byte{0x91}, 600)
	checkMsgpackToJSONAgainstRef(t, append(deep, 0xc0))
}

func mustHex(t *testing.T, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Random documents through the reference encoder, and each with a byte
// changed, inserted or dropped.
func TestMsgpackToJSON_RandomDocumentsAndMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var b bytes.Buffer
		randomJSON(r, &b, 0)
		mp, err := jsonToMsgpackRef(nil, b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		checkMsgpackToJSONAgainstRef(t, mp)
		if len(mp) == 0 {
			continue
		}
		checkMsgpackToJSONAgainstRef(t, mutate(r, mp, nil))
	}
}

func FuzzMsgpackToJSON(f *testing.F) {
	for _, h := range []string{"82a474797065a6637572736f72a17801", "93c0c3cb3ff8000000000000", "81cfffffffffffffffffa162"} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMsgpackToJSONAgainstRef(t, data)
	})
}
