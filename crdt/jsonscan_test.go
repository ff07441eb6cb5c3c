package crdt

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidJSON(t *testing.T) {
	valid := []string{
		`null`, `true`, `false`, `0`, `-0`, `1.5e-3`, `-12E+4`, `""`, `"a\"b\\c\/\b\f\n\r\t\u00e9"`,
		`[]`, `{}`, ` [ 1 , "x" , { "a" : [ ] } ] `, `{"a":{"b":{"c":[[[]]]}}}`,
		`"é😀"`, "\"\xff\"", // raw bytes >= 0x80 are accepted in strings
	}
	invalid := []string{
		``, ` `, `nul`, `tru`, `01`, `1.`, `.5`, `1e`, `-`, `+1`, `"abc`, `"\x"`, `"\u12g4"`, "\"a\nb\"",
		`[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{1:2}`, `[1 2]`, `{"a":1 "b":2}`, `[}`, `{]`, `1 2`,
		`[[[`, `]`, `}`,
	}
	for _, s := range valid {
		if !validJSON([]byte(s)) {
			t.Errorf("validJSON(%q) = false", s)
		}
		if s != "\"\xff\"" && !json.Valid([]byte(s)) {
			t.Errorf("test bug: %q is not valid for encoding/json", s)
		}
	}
	for _, s := range invalid {
		if validJSON([]byte(s)) {
			t.Errorf("validJSON(%q) = true", s)
		}
	}
	deep := strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1)
	if validJSON([]byte(deep)) {
		t.Error("nesting beyond maxNesting accepted")
	}
	ok := strings.Repeat(`{"a":[`, 200) + "1" + strings.Repeat("]}", 200)
	if !validJSON([]byte(ok)) {
		t.Error("200 levels of mixed nesting rejected")
	}
}

func TestDecodeString(t *testing.T) {
	cases := []struct{ in, want string }{
		{`"abc"`, "abc"},
		{`"a\"b\\c\/d"`, `a"b\c/d`},
		{`"\b\f\n\r\t"`, "\b\f\n\r\t"},
		{`"\u00e9\u20AC"`, "é€"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud800"`, "\xed\xa0\x80"}, // lone surrogate kept as WTF-8
		{`"\udc00x"`, "\xed\xb0\x80x"},
		{"\"a\xffb\"", "a\uFFFDb"}, // invalid UTF-8 → U+FFFD
	}
	for _, c := range cases {
		got, err := decodeString([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("decodeString(%s) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"-3", -3, true},
		{"1e3", 1000, true},
		{"2.0", 2, true},
		{"9007199254740991", maxSafeInt, true},
		{"9007199254740992", 0, false},
		{"1.5", 0, false},
		{"1e400", 0, false},
		{"-9007199254740992", 0, false},
	}
	for _, c := range cases {
		got, ok := parseClock([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseClock(%s) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCompactValue(t *testing.T) {
	in := []byte(" { \"a\" : [ 1 , \"x y\" ] , \"b\" : \"\xff\" } ")
	v, err := trimValue(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(compactValue(v)), "{\"a\":[1,\"x y\"],\"b\":\"\uFFFD\"}"; got != want {
		t.Errorf("compact = %s, want %s", got, want)
	}
	already := []byte(`{"a":"é"}`)
	if got := compactValue(already); &got[0] != &already[0] {
		t.Error("compact input was copied")
	}
}

// FuzzValidJSON checks the scanner against encoding/json.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `[1e5,-0.5,"\u00e9"]`, `{"a" 1}`, `[01]`, `"\ud800"`, " [ ] "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
