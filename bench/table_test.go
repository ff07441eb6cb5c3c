package bench

import (
	"bytes"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		v    float64
		dec  int
		want string
	}{
		{0, 0, "0"}, {999, 0, "999"}, {1000, 0, "1,000"}, {1234567.891, 2, "1,234,567.89"},
		{-1234.5, 1, "-1,234.5"}, {0.0004, 3, "0.000"}, {123456, 0, "123,456"},
	}
	for _, tc := range cases {
		if got := formatNumber(tc.v, tc.dec); got != tc.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
}

func TestWriteAligned(t *testing.T) {
	var b bytes.Buffer
	err := writeAligned(&b, [][]string{{"a", "1", "x"}, {"long µ", "1,000", ""}}, []bool{false, true, false})
	if err != nil {
		t.Fatal(err)
	}
	want := "a           1  x\nlong µ  1,000\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
