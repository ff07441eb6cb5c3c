package crdt

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// protocolExamples are the B.2.5 examples; both generators must give them.
var protocolExamples = []struct{ a, b, want string }{
	{"", "", "V"},
	{"", "V", "F"},
	{"V", "k", "c"},
	{"V", "W", "VV"},
	{"A", "Z", "M"},
	{"a", "b", "aV"},
	{"V", "Vk", "VN"},
	{"k", "kV", "kF"},
	{"0", "", "V"},
	{"", "01", "00"},
}

func TestKeyBetween_ProtocolExamples(t *testing.T) {
	for _, gen := range []struct {
		name string
		fn   func(a, b string) string
	}{{"KeyBetween", KeyBetween}, {"ReferenceKeyBetween", ReferenceKeyBetween}} {
		for _, c := range protocolExamples {
			if got := gen.fn(c.a, c.b); got != c.want {
				t.Errorf("%s(%q,%q) = %q, want %q", gen.name, c.a, c.b, got, c.want)
			}
		}
	}
}

func TestKeyBetween_PushesFromEmpty(t *testing.T) {
	want := strings.Fields("V k s w y yV yk ys yw yy yyV")
	for _, gen := range []func(a, b string) string{KeyBetween, ReferenceKeyBetween} {
		var got []string
		last := ""
		for range want {
			last = gen(last, "")
			got = append(got, last)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pushes = %v, want %v", got, want)
		}
	}
}

func TestReferenceKeyBetween_Bugs(t *testing.T) {
	// Repeated prepends: V F 7 3 1 0 0 …
	var got []string
	first := ""
	for range 8 {
		first = ReferenceKeyBetween("", first)
		got = append(got, first)
	}
	if want := strings.Fields("V F 7 3 1 0 0 0"); !slices.Equal(got, want) {
		t.Errorf("prepends = %v, want %v", got, want)
	}
	cases := []struct{ a, b, want string }{
		{"Vzz", "W", "VzV"}, // below a
		{"V", "V0", "VV"},   // above b
		{"", "0", "0"},      // duplicate
		// Characters outside the alphabet index as -1; JS then reads
		// CHARS[-1] and concatenates "undefined".
		{"", "-", "undefined"},
		{"", "0-", "0undefined"},
		{"-", "", "U"},
	}
	for _, c := range cases {
		if got := ReferenceKeyBetween(c.a, c.b); got != c.want {
			t.Errorf("ReferenceKeyBetween(%q,%q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestKeyBetween_FixesReferenceBugs(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"", "0", "-V"},
		{"Vzz", "W", "VzzV"},
		{"V", "V0", "V-V"},
		{"", "-V", "-F"},
		{"x", "x0", "x-V"},
	}
	for _, c := range cases {
		got := KeyBetween(c.a, c.b)
		if got != c.want {
			t.Errorf("KeyBetween(%q,%q) = %q, want %q", c.a, c.b, got, c.want)
		}
		if !between(c.a, got, c.b) {
			t.Errorf("KeyBetween(%q,%q) = %q is not strictly between", c.a, c.b, got)
		}
	}
	// Repeated prepends never repeat.
	first := ""
	seen := map[string]bool{}
	for range 1000 {
		k := KeyBetween("", first)
		if seen[k] || (first != "" && k >= first) {
			t.Fatalf("prepend before %q gave %q", first, k)
		}
		seen[k] = true
		first = k
	}
}

func between(a, k, b string) bool {
	return k != "" && (a == "" || a < k) && (b == "" || k < b)
}

// TestKeyBetween_RandomSequences inserts 100k keys at random places (with
// a bias to prepends and appends) and checks the list stays strictly
// ordered with unique keys.
func TestKeyBetween_RandomSequences(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		var keys []string
		for range 25000 {
			var i int
			switch p := r.IntN(10); {
			case p < 3:
				i = 0
			case p < 6:
				i = len(keys)
			default:
				i = r.IntN(len(keys) + 1)
			}
			a, b := "", ""
			if i > 0 {
				a = keys[i-1]
			}
			if i < len(keys) {
				b = keys[i]
			}
			k := KeyBetween(a, b)
			if !between(a, k, b) {
				t.Fatalf("seed %d: KeyBetween(%q,%q) = %q", seed, a, b, k)
			}
			keys = slices.Insert(keys, i, k)
		}
		for i := 1; i < len(keys); i++ {
			if keys[i-1] >= keys[i] {
				t.Fatalf("seed %d: keys out of order at %d: %q %q", seed, i, keys[i-1], keys[i])
			}
		}
	}
}

// TestKeyBetween_AmongReferenceKeys mixes positions made by the reference
// generator (which produces "0", "00", out-of-order and duplicate keys) with
// KeyBetween, which must stay strictly between any two distinct neighbours.
func TestKeyBetween_AmongReferenceKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var keys []string // sorted, may hold duplicates
	for n := range 20000 {
		i := r.IntN(len(keys) + 1)
		if r.IntN(4) == 0 {
			i = 0
		}
		a, b := "", ""
		if i > 0 {
			a = keys[i-1]
		}
		if i < len(keys) {
			b = keys[i]
		}
		var k string
		if n%2 == 0 {
			k = ReferenceKeyBetween(a, b)
		} else {
			k = KeyBetween(a, b)
			if (a == "" || b == "" || a < b) && !between(a, k, b) {
				t.Fatalf("KeyBetween(%q,%q) = %q", a, b, k)
			}
		}
		j, _ := slices.BinarySearch(keys, k)
		keys = slices.Insert(keys, j, k)
	}
}

func FuzzKeyBetween(f *testing.F) {
	for _, c := range protocolExamples {
		f.Add(c.a, c.b)
	}
	f.Add("Vzz", "W")
	f.Add("V", "V0")
	f.Add("", "0")
	f.Fuzz(func(t *testing.T, a, b string) {
		_ = ReferenceKeyBetween(a, b)
		if a != "" && b != "" && a >= b {
			return
		}
		k := KeyBetween(a, b)
		if between(a, k, b) {
			return
		}
		// Only possible when no key exists: b is a followed by bytes <= '-'.
		rest, ok := strings.CutPrefix(b, a)
		if !ok || strings.IndexFunc(rest, func(r rune) bool { return r > '-' }) >= 0 {
			t.Fatalf("KeyBetween(%q,%q) = %q", a, b, k)
		}
	})
}
