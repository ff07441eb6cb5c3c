package yjs

import (
	"encoding/hex"
	"math"
	"testing"
)

func TestAny_Vectors(t *testing.T) {
	v := loadProtocolVectors(t)
	// the Go value for each JS value of gen-protocol-vectors.mjs
	obj := Any{Kind: AnyObject, Keys: []string{"b", "a", "2", "1"}, Values: []Any{
		num(1), {Kind: AnyArray, Items: []Any{{Kind: AnyBool, Bool: true}}}, str("int-like key first"), str("x"),
	}}
	values := map[string]Any{
		"null":              {Kind: AnyNull},
		"undefined":         {Kind: AnyUndefined},
		"true":              {Kind: AnyBool, Bool: true},
		"false":             {Kind: AnyBool},
		"0":                 num(0),
		"-5":                num(-5),
		"2147483647":        num(2147483647),
		"2147483648":        num(2147483648),
		"1.5":               num(1.5),
		"0.1":               num(0.1),
		"-0":                num(math.Copysign(0, -1)),
		`"str"`:             str("str"),
		`[1,"a",null]`:      {Kind: AnyArray, Items: []Any{num(1), str("a"), {Kind: AnyNull}}},
		"Uint8Array[1,2,3]": {Kind: AnyBytes, Bytes: []byte{1, 2, 3}},
		"12345678901n":      {Kind: AnyBigInt, BigInt: 12345678901},
		`{"1":"x","2":"int-like key first","b":1,"a":[true]}`: obj,
	}
	for _, c := range v.Any {
		val, ok := values[c.JS]
		if !ok {
			t.Errorf("no Go value for %s", c.JS)
			continue
		}
		if got := hex.EncodeToString(AppendAny(nil, val)); got != c.Hex {
			t.Errorf("AppendAny(%s) = %s, want %s", c.JS, got, c.Hex)
		}
		dec, n, err := DecodeAny(unhex(t, c.Hex))
		if err != nil || n != len(c.Hex)/2 {
			t.Errorf("DecodeAny(%s): %v", c.Hex, err)
			continue
		}
		if got := hex.EncodeToString(AppendAny(nil, dec)); got != c.Hex {
			t.Errorf("round trip of %s = %s", c.Hex, got)
		}
		d := newDecoder(unhex(t, c.Hex))
		canon, err := d.readCanonicalAny(nil)
		if err != nil || hex.EncodeToString(canon) != c.Hex {
			t.Errorf("canonical %s = %x, %v", c.Hex, canon, err)
		}
	}
	if len(v.Any) != len(values) {
		t.Errorf("%d vectors, %d values", len(v.Any), len(values))
	}
}

func num(f float64) Any { return Any{Kind: AnyNumber, Num: f} }
func str(s string) Any  { return Any{Kind: AnyString, Str: s} }

func TestAny_CanonicalForms(t *testing.T) {
	// what JS writes for writeAny(readAny(input)); checked against yjs in edge.json as well
	cases := []struct{ in, want string }{
		{"7b3ff0000000000000", "7d01"},               // 1 as float64
		{"7b3ff8000000000000", "7c3fc00000"},         // 1.5 as float64
		{"7c7fc00001", "7b7ff8000020000000"},         // float32 NaN widened
		{"7b7ff8000000000001", "7b7ff8000000000001"}, // float64 NaN payload kept
		{"7d8000", "7d00"},                           // non-minimal varInt
		{"7dbfffffff1f", "7b41efffffffe00000"},       // 2^32-1: no int31, no float32
		{"76020161770178016177017a", "7601016177017a"},
		{"7602095f5f70726f746f5f5f7d0101617d02", "760101617d02"},
		{"7603013177017801307701790162770178", "7603013077017901317701780162770178"},
	}
	for _, c := range cases {
		d := newDecoder(unhex(t, c.in))
		got, err := d.readCanonicalAny(nil)
		if err != nil || hex.EncodeToString(got) != c.want {
			t.Errorf("canonical(%s) = %x, %v; want %s", c.in, got, err, c.want)
		}
		if d.remaining() != 0 {
			t.Errorf("canonical(%s) left %d bytes", c.in, d.remaining())
		}
	}
}

func TestAny_Get(t *testing.T) {
	v, _, err := DecodeAny(unhex(t, "76020162770178016177017a"))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := v.Get("a"); !ok || a.Str != "z" {
		t.Fatalf("Get(a) = %v, %v", a, ok)
	}
	if _, ok := v.Get("c"); ok {
		t.Fatal("Get(c) found something")
	}
	if s := v.String(); s != `{"b":"x","a":"z"}` {
		t.Fatalf("String() = %s", s)
	}
	_ = math.Pi
}
