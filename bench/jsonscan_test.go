package bench

import (
	"strings"
	"testing"
)

func TestJSONEachMember_RawKeysAndValues(t *testing.T) {
	in := `{"a":1, "b" : "x\"}{y" ,"c":{"d":[1,{"e":"]"}]},"f":null,"g":true,"h":-1.5e3}`
	var got []string
	ok := jsonEachMember([]byte(in), func(k, v []byte) bool {
		got = append(got, string(k)+"="+string(v))
		return true
	})
	want := []string{`a=1`, `b="x\"}{y"`, `c={"d":[1,{"e":"]"}]}`, `f=null`, `g=true`, `h=-1.5e3`}
	if !ok || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("members %q ok %v, want %q", got, ok, want)
	}
	var first []string
	jsonEachMember([]byte(in), func(k, _ []byte) bool {
		first = append(first, string(k))
		return false
	})
	if len(first) != 1 {
		t.Errorf("stop after first: %q", first)
	}
}

func TestJSONEachElement(t *testing.T) {
	var got []string
	ok := jsonEachElement([]byte(` [ 1 , "a,b" ,[2,3], {"x":[]} ] `), func(v []byte) bool {
		got = append(got, string(v))
		return true
	})
	if !ok || strings.Join(got, "|") != `1|"a,b"|[2,3]|{"x":[]}` {
		t.Errorf("elements %q ok %v", got, ok)
	}
	if !jsonEachElement([]byte(`[]`), func([]byte) bool { t.Error("called on empty"); return true }) {
		t.Error("empty array not ok")
	}
}

func TestJSONScan_Malformed(t *testing.T) {
	for _, in := range []string{`{"a":1`, `{"a" 1}`, `{"a":"x}`, `{a:1}`, `{"a":1,}`, `[1,`, `{"a":{"b":1}`, `{"a":"\`} {
		ok := jsonEachMember([]byte(in), func(_, _ []byte) bool { return true })
		ok2 := jsonEachElement([]byte(in), func([]byte) bool { return true })
		if ok || (strings.HasPrefix(in, "[") && ok2) {
			t.Errorf("%q accepted", in)
		}
	}
	if _, ok := jsonNumberValue([]byte(`"1"`)); ok {
		t.Error("string read as number")
	}
	if v, ok := jsonNumberValue([]byte(`1e3`)); !ok || v != 1000 {
		t.Errorf("1e3 = %v %v", v, ok)
	}
	if _, ok := jsonStringValue([]byte(`1`)); ok {
		t.Error("number read as string")
	}
}
