package crdt

// Fractional positions (B.2.5). Positions are plain strings compared byte by
// byte (equal to the JS comparison for ASCII). The empty string stands for
// "no neighbour" (JS null) in both generators below.

// refChars is the reference alphabet: base 62 in ASCII order.
const refChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const refBase = 62

// refIdx is CHARS.indexOf(c): -1 for a character outside the alphabet.
func refIdx(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// refChar is CHARS[i] concatenated to a JS string: out-of-range indexes read
// undefined, which concatenates as "undefined". ok is false in that case.
func refChar(i int) (s string, ok bool) {
	if i < 0 || i >= refBase {
		return "undefined", false
	}
	return refChars[i : i+1], true
}

// ReferenceKeyBetween is the reference generateKeyBetween, bugs included, so
// that a model of the stock client generates exactly the stock client's
// positions. a == "" means no lower neighbour and b == "" no upper one.
//
// Known bugs it reproduces: (null,"0") returns "0" again (repeated prepends
// go V F 7 3 1 0 0 …); ("Vzz","W") returns "VzV" (below a); ("V","V0")
// returns "VV" (above b); a character outside the alphabet counts as index
// -1 and can make it return strings containing "undefined". Use KeyBetween
// for keys that must be correct.
func ReferenceKeyBetween(a, b string) string {
	s, _ := refKeyBetween(a, b)
	return s
}

// refKeyBetween is ReferenceKeyBetween; ok is false if JS would have read an
// out-of-range CHARS index (the result then contains "undefined").
func refKeyBetween(a, b string) (string, bool) {
	switch {
	case a == "" && b == "":
		return "V", true
	case a == "":
		first := refIdx(b[0])
		if first > 1 {
			return refChars[first/2 : first/2+1], true
		}
		// Math.floor(idx/2); idx >= -1, and >> floors.
		c, ok := refChar(refIdx(b[len(b)-1]) >> 1)
		return b[:len(b)-1] + c, ok
	case b == "":
		last := refIdx(a[len(a)-1])
		if last < refBase-2 {
			step := (refBase - 1 - last + 1) / 2 // Math.ceil((61-last)/2), 61-last > 0
			c, ok := refChar(last + step)
			return a[:len(a)-1] + c, ok
		}
		return a + "V", true
	}
	return refMidpoint(a, b)
}

func refMidpoint(a, b string) (string, bool) {
	n := max(len(a), len(b))
	for i := range n {
		ai := 0
		if i < len(a) {
			ai = refIdx(a[i])
		}
		bi := refBase
		if i < len(b) {
			bi = refIdx(b[i])
		}
		if ai == bi {
			continue
		}
		if bi-ai > 1 {
			c, ok := refChar(ai + (bi-ai)/2)
			return a[:min(i, len(a))] + c, ok
		}
		// Any gap <= 1 (including negative ones, when a > b) lands here.
		na := 0
		if i+1 < len(a) {
			na = refIdx(a[i+1])
		}
		m := (na + refBase) / 2 // na >= -1, so the sum is positive
		p := a[:min(i+1, len(a))]
		if m > na {
			c, ok := refChar(m)
			return p + c, ok
		}
		c, ok := refChar(na)
		return p + c + "V", ok
	}
	return a + "V", true
}

// fixDigits is the digit set of KeyBetween's fallback: the reference
// alphabet plus '-', which sorts below '0'. The extra digit makes the key
// space dense below "0" and between "x" and "x0", where the reference
// alphabet has no key at all. Keys never end in '-', so there is always
// room below any key the generators produce.
const fixDigits = "-" + refChars

// digitsBelow[c] is the number of fixDigits strictly below byte c.
var digitsBelow = func() (t [256]uint8) {
	for c := range 256 {
		n := 0
		for i := range len(fixDigits) {
			if fixDigits[i] < byte(c) {
				n++
			}
		}
		t[c] = uint8(n)
	}
	return t
}()

// KeyBetween returns a position strictly between a and b (a == "" means no
// lower neighbour, b == "" no upper one), never equal to either.
//
// It returns exactly what ReferenceKeyBetween returns whenever that result
// is correct, so every example of the protocol (pushes from empty give
// V k s w y yV yk …, (null,"V")→"F", ("V","k")→"c", ("A","Z")→"M",
// (null,"01")→"00", …) is unchanged. Where the reference is wrong it falls
// back to a correct generator that may use '-' (below '0'):
// (null,"0")→"-V", ("Vzz","W")→"VzzV", ("V","V0")→"V-V".
//
// If a >= b, or no string lies strictly between them (b is a followed only
// by bytes <= '-', which no generator here produces), the result is a key
// above a.
func KeyBetween(a, b string) string {
	if a != "" && b != "" && a >= b {
		return keyAfter(a)
	}
	if r, ok := refKeyBetween(a, b); ok && (a == "" || a < r) && (b == "" || r < b) {
		return r
	}
	switch {
	case a == "" && b == "":
		return "V"
	case b == "":
		return keyAfter(a)
	case a == "":
		if s, ok := keyBefore(b); ok {
			return s
		}
		return keyAfter(b)
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		// a is a proper prefix of b.
		if s, ok := keyBefore(b[i:]); ok {
			return a + s
		}
		return keyAfter(a)
	}
	// a[i] < b[i]: take a digit strictly between them if there is one.
	lo := int(digitsBelow[a[i]])
	if lo < len(fixDigits) && fixDigits[lo] == a[i] {
		lo++
	}
	hi := int(digitsBelow[b[i]])
	if hi > lo {
		d := fixDigits[lo+(hi-lo)/2]
		if d == '-' {
			return a[:i] + "-V"
		}
		return a[:i] + string(d)
	}
	// Adjacent: keep a[:i+1] (which is below b) and grow past a's tail.
	return a[:i+1] + keyAfter(a[i+1:])
}

// keyBefore returns a non-empty key below b that does not end in '-'.
func keyBefore(b string) (string, bool) {
	for i := 0; i < len(b); i++ {
		if n := int(digitsBelow[b[i]]); n > 0 {
			d := fixDigits[n/2]
			if d == '-' {
				return b[:i] + "-V", true
			}
			return b[:i] + string(d), true
		}
	}
	// Every byte of b is <= '-': only its proper prefixes are below it.
	if len(b) > 1 {
		return b[:len(b)-1], true
	}
	return "", false
}

// keyAfter returns a key above a: its last character raised halfway to 'z'
// (as the reference does) or, when it is already 'z' or above, a + "V".
func keyAfter(a string) string {
	if a == "" {
		return "V"
	}
	c := a[len(a)-1]
	lo := int(digitsBelow[c])
	if lo < len(fixDigits) && fixDigits[lo] == c {
		lo++
	}
	if m := len(fixDigits) - lo; m > 0 {
		d := fixDigits[lo+(m-1)/2]
		if d != '-' {
			return a[:len(a)-1] + string(d)
		}
	}
	return a + "V"
}
