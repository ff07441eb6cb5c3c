package yjs

import (
	"errors"
	"math"
	"testing"
)

// Expected strings are what node prints for JSON.stringify(JSON.parse(in)).
func TestNormalizeJSON_MatchesJavaScript(t *testing.T) {
	cases := []struct{ in, want string }{
		{` { "b" : 1 , "a" : [ 1.0 , 2e0 , -0 ] } `, `{"b":1,"a":[1,2,0]}`},
		{`[1e21,1e-7,123e-20,0.000001,1.5e300,1e400,-1e400,5e-324]`, `[1e+21,1e-7,1.23e-18,0.000001,1.5e+300,null,null,5e-324]`},
		{`[100000000000000000000,123456789012345678901234,0.1,-2.5e-7]`, `[100000000000000000000,1.2345678901234569e+23,0.1,-2.5e-7]`},
		{`"\u0041\/\ud83d\ude00\ud800 \u2028\u001f\t\u007f"`, "\"A/😀\\ud800 \u2028\\u001f\\t\u007f\""},
		{`{"2":1,"1":2,"x":3,"x":4,"__proto__":5,"01":6}`, `{"1":2,"2":1,"x":4,"__proto__":5,"01":6}`},
		{`"\udc00\ud800"`, `"\udc00\ud800"`},
		{`{}`, `{}`}, {`[]`, `[]`}, {`null`, `null`}, {`true`, `true`},
	}
	for _, c := range cases {
		got, err := normalizeJSON([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("normalize(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestParseJSON_RejectsWhatJSONParseRejects(t *testing.T) {
	for _, in := range []string{``, `{a:1}`, `[1,]`, `01`, `1.`, `.5`, `+1`, `"\x"`, "\"a\x01\"", `NaN`, `undefined`, "\ufeff1", `[1] 2`, `"\u12"`, `tru`, "\"\xff\""} {
		if v, err := ParseJSON([]byte(in)); err == nil {
			t.Errorf("ParseJSON(%q) = %s", in, v)
		} else if !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("ParseJSON(%q): %v wraps no sentinel", in, err)
		}
	}
}

func TestAppendJSNumber(t *testing.T) {
	cases := map[float64]string{
		0: "0", math.Copysign(0, -1): "0", 1: "1", -1.5: "-1.5", 1e21: "1e+21", 1e20: "100000000000000000000",
		1e-6: "0.000001", 1e-7: "1e-7", 123.456: "123.456", math.MaxFloat64: "1.7976931348623157e+308",
		5e-324: "5e-324", 2147483648: "2147483648",
	}
	tenth, fifth := 0.1, 0.2
	cases[tenth+fifth] = "0.30000000000000004" // computed at run time, not as an exact constant
	for f, want := range cases {
		if got := string(appendJSNumber(nil, f)); got != want {
			t.Errorf("appendJSNumber(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestAppendJSON_Kinds(t *testing.T) {
	v := Any{Kind: AnyArray, Items: []Any{
		{Kind: AnyUndefined}, {Kind: AnyNumber, Num: math.NaN()}, {Kind: AnyBytes, Bytes: []byte{1, 2}},
		{Kind: AnyObject, Keys: []string{"u", "k"}, Values: []Any{{Kind: AnyUndefined}, {Kind: AnyBigInt, BigInt: -3}}},
	}}
	got, err := v.AppendJSON(nil)
	if err != nil || string(got) != `[null,null,{"0":1,"1":2},{"k":-3}]` {
		t.Fatalf("got %s, %v", got, err)
	}
}
