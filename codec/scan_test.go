package codec

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// scanValid is the scanner's verdict on a whole document.
func scanValid(data []byte) bool {
	end, err := scanValue(data, skipSpace(data, 0), 1)
	return err == nil && skipSpace(data, end) == len(data)
}

// envelopeFields are the envelope's JSON names.
func envelopeFields() []string {
	t := reflect.TypeOf(envelope{})
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("json")
	}
	return names
}

// checkAgainstEncodingJSON compares the scanner with encoding/json: the same
// verdict on validity, and for objects the same raw members, except where
// encoding/json's case-insensitive field matching applies (a key equal to a
// field name but for case), which JavaScript's JSON.parse does not do.
func checkAgainstEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	valid := scanValid(data)
	if valid != json.Valid(data) {
		t.Fatalf("scanner says valid=%v, encoding/json %v, for %q", valid, !valid, data)
	}
	if !valid || firstNonSpace(data) != '{' {
		return
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatalf("valid object does not unmarshal: %v: %q", err, data)
	}
	fields := envelopeFields()
	for k := range keys {
		for _, f := range fields {
			if k != f && strings.EqualFold(k, f) {
				return // encoding/json would match it; JSON.parse does not
			}
		}
	}
	var want, got envelope
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("encoding/json: %v: %q", err, data)
	}
	if err := scanEnvelope(data, &got); err != nil {
		t.Fatalf("scanEnvelope: %v: %q", err, data)
	}
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range wv.NumField() {
		w, g := wv.Field(i).Bytes(), gv.Field(i).Bytes()
		if !bytes.Equal(w, g) {
			t.Fatalf("field %s: encoding/json %q, scanner %q, for %q", fields[i], w, g, data)
		}
	}
}

func TestScanner_MatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{}`, ` { } `, `{"type":"cursor:update","x":1,"y":2}`, `{"type":"a","type":"b"}`,
		`{"x":-0.5e+10,"y":0}`, `{"x":01}`, `{"x":1.}`, `{"x":.5}`, `{"x":1e}`, `{"x":-}`, `{"x":+1}`,
		`{"data":"a\u00e9\n\"\\\/\b\f\r\t"}`, `{"data":"\u00g0"}`, `{"data":"\x"}`, "{\"data\":\"a\x01\"}",
		`{"typ\u0065":"heartbeat"}`, `{"TYPE":"heartbeat"}`, `{"type":"x",}`, `{"type" "x"}`, `{"type":"x"`,
		`{"value":{"a":[1,{"b":[true,false,null]}],"c":{}}}`, `{"ops":[]}`, `{"ops":[,]}`, `{"ops":[1,]}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":falsey}`, `{"a":1} x`, `{"a":1}{}`, `[1]`, `"s"`, `1`, ``, ` `, `{`,
		"{\"a\":\"\xff\xfe\"}", `{"a":"é😀"}`, `{"viewportPos":{"x":1,"y":2,"x":3}}`,
	} {
		checkAgainstEncodingJSON(t, []byte(s))
	}
}

// randomJSON writes a random JSON value, sometimes with top-level keys the
// decoder knows.
func randomJSON(r *rand.Rand, b *bytes.Buffer, depth int) {
	switch k := r.IntN(9); {
	case k == 0 && depth < 6:
		b.WriteByte('{')
		n := r.IntN(5)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			keys := envelopeFields()
			key := keys[r.IntN(len(keys))]
			if r.IntN(3) == 0 {
				key = string(rune('a' + r.IntN(26)))
			}
			b.WriteString(strings.Repeat(" ", r.IntN(2)))
			kb, _ := json.Marshal(key)
			b.Write(kb)
			b.WriteString(":")
			randomJSON(r, b, depth+1)
		}
		b.WriteByte('}')
	case k == 1 && depth < 6:
		b.WriteByte('[')
		n := r.IntN(4)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			randomJSON(r, b, depth+1)
		}
		b.WriteByte(']')
	case k == 2:
		s := []string{"", "a", "é", `q"q`, "\\", "\n", "\u2028", "😀"}[r.IntN(8)]
		sb, _ := json.Marshal(s)
		b.Write(sb)
	case k == 3:
		b.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	default:
		b.WriteString([]string{"0", "-1", "3.25", "1e9", "-0.0", "6.02E+23", "12345678901234567890"}[r.IntN(7)])
	}
}

// TestScanner_RandomDocumentsAndMutations: random objects, and each with a
// byte changed, inserted or dropped, get the verdict and members
// encoding/json gives.
func TestScanner_RandomDocumentsAndMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]:,"\ -+.eE0123456789tfnrulasx` + "\t\n\x00\x1f\xff")
	for range 20000 {
		var b bytes.Buffer
		b.WriteByte('{')
		b.WriteString(`"type":"cursor:update",`)
		b.Truncate(b.Len() - 1)
		if r.IntN(2) == 0 {
			b.Reset()
			randomJSON(r, &b, 0)
		} else {
			b.WriteByte(',')
			var v bytes.Buffer
			randomJSON(r, &v, 1)
			b.WriteString(`"x":`)
			b.Write(v.Bytes())
			b.WriteByte('}')
		}
		doc := b.Bytes()
		checkAgainstEncodingJSON(t, doc)
		if len(doc) == 0 {
			continue
		}
		checkAgainstEncodingJSON(t, mutate(r, doc, alphabet))
	}
}

// mutate returns a copy of doc (not empty) with one byte changed, inserted
// or dropped; new bytes come from alphabet (any byte when it is nil).
func mutate(r *rand.Rand, doc, alphabet []byte) []byte {
	pick := func() byte {
		if alphabet == nil {
			return byte(r.IntN(256))
		}
		return alphabet[r.IntN(len(alphabet))]
	}
	m := append([]byte(nil), doc...)
	i := r.IntN(len(m))
	switch r.IntN(3) {
	case 0:
		m[i] = pick()
	case 1:
		m = append(m[:i], append([]byte{pick()}, m[i:]...)...)
	default:
		m = append(m[:i], m[i+1:]...)
	}
	return m
}

func TestScanner_DepthLimit(t *testing.T) {
	deep := []byte(`{"value":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`)
	if scanValid(deep) {
		t.Fatal("20000 levels accepted")
	}
	if _, err := DecodeJSON(deep); err == nil {
		t.Fatal("DecodeJSON accepted 20000 levels")
	}
	ok := []byte(`{"type":"t","value":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`)
	if _, err := DecodeJSON(ok); err != nil {
		t.Fatal(err)
	}
}

// Keys are matched exactly, as JSON.parse does.
func TestDecodeJSON_KeysAreCaseSensitive(t *testing.T) {
	if _, err := DecodeJSON([]byte(`{"TYPE":"heartbeat"}`)); err == nil {
		t.Fatal(`{"TYPE":…} decoded as having a type`)
	}
	m, err := DecodeJSON([]byte(`{"type":"cursor:update","x":1,"y":2,"X":"bad"}`))
	if err != nil || m.Cursor.X != 1 {
		t.Fatalf("%v %+v", err, m)
	}
	m, err = DecodeJSON([]byte(`{"typ\u0065":"heartbeat"}`))
	if err != nil || m.Kind != KindHeartbeat {
		t.Fatalf("escaped key: %v %+v", err, m)
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"type":"cursor:update","x":1,"y":2}`, `{"a":[1,{"b":null}],"value":"\u00e9"}`, `[1,2]`, `{"x":-1.5e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstEncodingJSON(t, data)
	})
}
