package roomscli

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/lively-actor/lively/store"
)

func TestClear(t *testing.T) {
	f := newFixture(t)
	add := func(ids ...string) {
		for _, id := range ids {
			f.append(id, time.Second, store.Change{Kind: store.KindYjs, Data: []byte{1}})
		}
	}
	add("a:b", "a.b", "a_b")
	f.run("", "clear", "a:b")
	f.run("", "clear", "a:b")
	f.run("", "list")
	f.run("", "clear")
	f.run("n\n", "clear")
	f.run("yes please\n", "clear")
	f.run("Y\n", "clear")
	f.run("", "list")
	add("x", "y")
	f.run("", "clear", "--yes")
	add("z")
	f.run("", "clear", "-y")
	f.run("", "clear", "-y")
	f.golden("clear")
}

func TestReadLine(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"y\nrest", "y"},
		{"yes", "yes"},
		{"", ""},
		{strings.Repeat("a", 2000), strings.Repeat("a", maxAnswer)},
	}
	for _, tc := range tests {
		r := strings.NewReader(tc.in)
		got, err := readLine(iotest.OneByteReader(r))
		if err != nil || got != tc.want {
			t.Errorf("readLine(%.10q) = %.10q, %v", tc.in, got, err)
		}
	}
	r := strings.NewReader("y\nrest")
	if _, err := readLine(r); err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "rest" {
		t.Fatalf("readLine consumed past the line: %q left", rest)
	}
	if _, err := readLine(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Fatal("no error from a failing reader")
	}
}
