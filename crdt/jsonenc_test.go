package crdt

import (
	"testing"
)

func TestAppendString_LikeJSONStringify(t *testing.T) {
	cases := []struct{ in, want string }{
		{"abc", `"abc"`},
		{`<a href="x">&amp;</a>`, `"<a href=\"x\">&amp;</a>"`}, // no HTML escaping
		{"\u2028\u2029\x7f", "\"\u2028\u2029\x7f\""},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\b\f\n\r\t\\", `"\b\f\n\r\t\\"`},
		{"é😀", `"é😀"`},
		{"\xed\xa0\x80", `"\ud800"`}, // WTF-8 lone surrogate
		{"a\xffb", "\"a\uFFFDb\""},
	}
	for _, c := range cases {
		if got := string(appendString(nil, c.in)); got != c.want {
			t.Errorf("appendString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	// Round trip through decodeString.
	for _, s := range []string{"plain", "q\"uote", "\u0001ctl", "😀", "\xed\xa0\x80"} {
		back, err := decodeString(appendString(nil, s))
		if err != nil || back != s {
			t.Errorf("round trip of %q gave %q, %v", s, back, err)
		}
	}
}

func TestAppendNumber_LikeJS(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{100, "100"},
		{0.1, "0.1"},
		{123.456, "123.456"},
		{1e20, "100000000000000000000"},
		{123456789012345680000, "123456789012345680000"},
		{1e21, "1e+21"},
		{1.5e300, "1.5e+300"},
		{1e-6, "0.000001"},
		{1.234e-6, "0.000001234"},
		{1e-7, "1e-7"},
		{-1.5e-9, "-1.5e-9"},
		{5e-324, "5e-324"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
	}
	for _, c := range cases {
		if got := string(appendNumber(nil, c.f)); got != c.want {
			t.Errorf("appendNumber(%v) = %s, want %s", c.f, got, c.want)
		}
	}
	var negZero = -1 / inf()
	if got := string(appendNumber(nil, negZero)); got != "0" {
		t.Errorf("-0 = %s", got)
	}
	if got := string(appendNumber(nil, inf())); got != "null" {
		t.Errorf("Inf = %s", got)
	}
}

func inf() float64 {
	z := 0.0
	return 1 / z
}
