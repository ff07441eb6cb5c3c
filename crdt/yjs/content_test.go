package yjs

import "testing"

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]uint64{"": 0, "abc": 3, "ä€": 2, "😀": 2, "a😀b😀😀c": 9, "\ufffd": 1} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestSplitUTF16_SurrogatePairs(t *testing.T) {
	s := []byte("a😀b€")
	cases := []struct {
		off         uint64
		left, right string
	}{
		{0, "", "a😀b€"},
		{1, "a", "😀b€"},
		{2, "a\ufffd", "\ufffdb€"}, // inside the pair: both halves become U+FFFD (yjs #248)
		{3, "a😀", "b€"},
		{4, "a😀b", "€"},
		{5, "a😀b€", ""},
	}
	for _, c := range cases {
		l, r := splitUTF16(s, c.off)
		if string(l) != c.left || string(r) != c.right {
			t.Errorf("split at %d = %q|%q, want %q|%q", c.off, l, r, c.left, c.right)
		}
	}
	if string(s) != "a😀b€" {
		t.Fatalf("input modified: %q", s)
	}
}

func TestContentString_SpliceKeepsLengths(t *testing.T) {
	c := newContentString("x😀y")
	r := c.splice(2).(*contentString)
	if c.n != 2 || r.n != 2 || string(c.b) != "x\ufffd" || string(r.b) != "\ufffdy" {
		t.Fatalf("left %q (%d), right %q (%d)", c.b, c.n, r.b, r.n)
	}
	// merging appends in place without touching the right part's bytes
	c.mergeWith(newContentString("zz"))
	if string(r.b) != "\ufffdy" || string(c.b) != "x\ufffdzz" {
		t.Fatalf("after merge: left %q right %q", c.b, r.b)
	}
}

func TestContentAny_SliceDoesNotAlias(t *testing.T) {
	c := &contentAny{vals: [][]byte{{0x7d, 1}, {0x7d, 2}, {0x7d, 3}}}
	r := c.sliceFrom(1).(*contentAny)
	c.mergeWith(&contentAny{vals: [][]byte{{0x7d, 9}}})
	r.mergeWith(&contentAny{vals: [][]byte{{0x7d, 8}}})
	if len(c.vals) != 4 || c.vals[3][1] != 9 || len(r.vals) != 3 || r.vals[2][1] != 8 {
		t.Fatalf("aliasing: %v / %v", c.vals, r.vals)
	}
}
