package crdt

import (
	"strconv"
	"unicode/utf8"
)

// This file holds a small, allocation-free JSON scanner: enough to validate
// values, walk objects and arrays by byte offsets, decode strings and numbers,
// and compact whitespace. It never recurses on nesting (skipValue keeps an
// explicit depth counter), so hostile input cannot exhaust the stack.

// maxNesting bounds JSON nesting depth. The reference (JSON.parse in V8)
// fails far earlier on real stacks; anything deeper is rejected as invalid.
const maxNesting = 10000

// isSpace reports JSON insignificant whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	i++ // opening quote
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(b) {
				return 0, ErrInvalidJSON
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, ErrInvalidJSON
				}
				for _, h := range b[i+2 : i+6] {
					if unhex(h) < 0 {
						return 0, ErrInvalidJSON
					}
				}
				i += 6
			default:
				return 0, ErrInvalidJSON
			}
		case c < 0x20:
			return 0, ErrInvalidJSON
		default:
			i++
		}
	}
	return 0, ErrInvalidJSON
}

// skipNumber returns the index just past the JSON number starting at b[i].
func skipNumber(b []byte, i int) (int, error) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return 0, ErrInvalidJSON
	}
	switch {
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0, ErrInvalidJSON
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, ErrInvalidJSON
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, ErrInvalidJSON
		}
	}
	return i, nil
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, ErrInvalidJSON
	}
	return i + len(lit), nil
}

// skipValue validates the JSON value starting at b[i] (no leading
// whitespace) and returns the index just past it.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrInvalidJSON
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '{' || c == '[':
		return skipContainer(b, i)
	}
	return 0, ErrInvalidJSON
}

// skipContainer validates the object or array at b[i] iteratively (no
// recursion): the kinds of the open containers are kept as bits, in a word
// for the first 64 levels and in a slice beyond.
func skipContainer(b []byte, i int) (int, error) {
	var (
		depth int
		small uint64 // bit d set: level d is an object
		deep  []bool // levels from 64 on
		err   error
	)
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return 0, ErrInvalidJSON
		}
		c := b[i]
		if c == '{' || c == '[' {
			if depth >= maxNesting {
				return 0, ErrInvalidJSON
			}
			obj := c == '{'
			if depth < 64 {
				if obj {
					small |= 1 << uint(depth)
				} else {
					small &^= 1 << uint(depth)
				}
			} else {
				deep = append(deep[:depth-64], obj)
			}
			depth++
			i = skipWS(b, i+1)
			if i < len(b) && ((obj && b[i] == '}') || (!obj && b[i] == ']')) {
				i++
				depth--
			} else if obj {
				if i, err = skipMemberKey(b, i); err != nil {
					return 0, err
				}
				continue
			} else {
				continue
			}
		} else if i, err = skipValue(b, i); err != nil {
			return 0, err
		}
		// A value ended at i: close containers or go to the next element.
		for {
			if depth == 0 {
				return i, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return 0, ErrInvalidJSON
			}
			var obj bool
			if d := depth - 1; d < 64 {
				obj = small&(1<<uint(d)) != 0
			} else {
				obj = deep[d-64]
			}
			if b[i] == ',' {
				i = skipWS(b, i+1)
				if obj {
					if i, err = skipMemberKey(b, i); err != nil {
						return 0, err
					}
				}
				break
			}
			if (obj && b[i] == '}') || (!obj && b[i] == ']') {
				i++
				depth--
				continue
			}
			return 0, ErrInvalidJSON
		}
	}
}

// skipMemberKey skips `"key" :` and the whitespace after it.
func skipMemberKey(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, ErrInvalidJSON
	}
	i, err := skipString(b, i)
	if err != nil {
		return 0, err
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, ErrInvalidJSON
	}
	return skipWS(b, i+1), nil
}

// validJSON reports whether b holds exactly one JSON value, optionally
// surrounded by whitespace.
func validJSON(b []byte) bool {
	i := skipWS(b, 0)
	end, err := skipValue(b, i)
	if err != nil {
		return false
	}
	return skipWS(b, end) == len(b)
}

// trimValue returns the single JSON value in b without surrounding
// whitespace, validated.
func trimValue(b []byte) ([]byte, error) {
	i := skipWS(b, 0)
	end, err := skipValue(b, i)
	if err != nil {
		return nil, err
	}
	if skipWS(b, end) != len(b) {
		return nil, ErrInvalidJSON
	}
	return b[i:end], nil
}

// memberIter walks the members of an already validated JSON object.
type memberIter struct {
	b []byte
	i int
}

// newMemberIter starts iterating the object b[start:] (b[start] == '{').
func newMemberIter(b []byte, start int) memberIter {
	return memberIter{b: b, i: start + 1}
}

// next returns the raw key (with quotes) and the value span. ok is false
// after the last member. The object must have been validated by skipValue.
func (it *memberIter) next() (key []byte, vs, ve int, ok bool) {
	b := it.b
	i := skipWS(b, it.i)
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] != '"' {
		return nil, 0, 0, false
	}
	ke, err := skipString(b, i)
	if err != nil {
		return nil, 0, 0, false
	}
	key = b[i:ke]
	i = skipWS(b, ke)
	if i >= len(b) || b[i] != ':' {
		return nil, 0, 0, false
	}
	vs = skipWS(b, i+1)
	ve, err = skipValue(b, vs)
	if err != nil {
		return nil, 0, 0, false
	}
	it.i = ve
	return key, vs, ve, true
}

// elemIter walks the elements of an already validated JSON array.
type elemIter struct {
	b []byte
	i int
}

func newElemIter(b []byte, start int) elemIter {
	return elemIter{b: b, i: start + 1}
}

func (it *elemIter) next() (vs, ve int, ok bool) {
	b := it.b
	i := skipWS(b, it.i)
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] == ']' {
		return 0, 0, false
	}
	ve, err := skipValue(b, i)
	if err != nil {
		return 0, 0, false
	}
	it.i = ve
	return i, ve, true
}

// keyIs reports whether the raw JSON string raw (with quotes) decodes to s.
func keyIs(raw []byte, s string) bool {
	if len(raw) == len(s)+2 && string(raw[1:len(raw)-1]) == s {
		return true
	}
	// Escaped spelling of the same key (rare): decode and compare.
	for _, c := range raw {
		if c == '\\' {
			d, err := decodeString(raw)
			return err == nil && d == s
		}
	}
	return false
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hex4(b []byte) rune {
	return rune(unhex(b[0])<<12 | unhex(b[1])<<8 | unhex(b[2])<<4 | unhex(b[3]))
}

// decodeString decodes a validated JSON string literal (with quotes).
//
// It follows what a JS client sees: invalid UTF-8 bytes become U+FFFD (as
// when a WebSocket text frame is decoded), escaped surrogate pairs combine,
// and an escaped lone surrogate is kept as its WTF-8 bytes so that
// appendString can write it back as "\udXXX" like JSON.stringify does.
func decodeString(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", ErrInvalidJSON
	}
	body := raw[1 : len(raw)-1]
	simple := true
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf || c < 0x20 {
			simple = false
			break
		}
	}
	if simple {
		return string(body), nil
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return "", ErrInvalidJSON
			}
			e := body[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if i+4 > len(body) || !isHex4(body[i:i+4]) {
					return "", ErrInvalidJSON
				}
				r := hex4(body[i : i+4])
				i += 4
				if r >= 0xD800 && r < 0xDC00 && i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' && isHex4(body[i+2:i+6]) {
					if lo := hex4(body[i+2 : i+6]); lo >= 0xDC00 && lo < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					}
				}
				out = appendWTF8(out, r)
			default:
				return "", ErrInvalidJSON
			}
		case c < 0x20:
			return "", ErrInvalidJSON
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, body[i:i+size]...)
			}
			i += size
		}
	}
	return string(out), nil
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if unhex(c) < 0 {
			return false
		}
	}
	return true
}

// appendWTF8 appends r, encoding surrogate code points as three bytes
// (WTF-8) instead of replacing them.
func appendWTF8(b []byte, r rune) []byte {
	if r >= 0xD800 && r < 0xE000 {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// parseClock parses a JSON number that must be an integer within the JS
// safe-integer range (stock clients only ever send such clocks).
func parseClock(num []byte) (int64, bool) {
	if len(num) == 0 {
		return 0, false
	}
	plain := true
	for _, c := range num {
		if c == '.' || c == 'e' || c == 'E' {
			plain = false
			break
		}
	}
	if plain && len(num) <= 17 {
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || v > maxSafeInt || v < -maxSafeInt {
			return 0, false
		}
		return v, true
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f != float64(int64(f)) || f > maxSafeInt || f < -maxSafeInt {
		return 0, false
	}
	return int64(f), true
}

// maxSafeInt is Number.MAX_SAFE_INTEGER.
const maxSafeInt = 1<<53 - 1

// needsCompact reports whether v (a validated value) holds whitespace
// outside strings, or invalid UTF-8, that appendCompact would rewrite.
func needsCompact(v []byte) bool {
	in := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && size == 1 {
				return true
			}
			i += size - 1
			continue
		}
		if in {
			if c == '\\' {
				i++
			} else if c == '"' {
				in = false
			}
			continue
		}
		if c == '"' {
			in = true
		} else if isSpace(c) {
			return true
		}
	}
	return false
}

// appendCompact appends the validated value v without insignificant
// whitespace. Invalid UTF-8 inside strings becomes U+FFFD, as a JS client
// decoding the frame would see it.
func appendCompact(dst, v []byte) []byte {
	in := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if in {
			switch {
			case c == '\\':
				dst = append(dst, c, v[i+1])
				i++
			case c == '"':
				in = false
				dst = append(dst, c)
			case c >= utf8.RuneSelf:
				r, size := utf8.DecodeRune(v[i:])
				if r == utf8.RuneError && size == 1 {
					dst = append(dst, "\uFFFD"...)
				} else {
					dst = append(dst, v[i:i+size]...)
				}
				i += size - 1
			default:
				dst = append(dst, c)
			}
			continue
		}
		if c == '"' {
			in = true
		}
		if !isSpace(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// compactValue returns v compacted, reusing v when it is already compact.
func compactValue(v []byte) []byte {
	if !needsCompact(v) {
		return v
	}
	return appendCompact(make([]byte, 0, len(v)), v)
}
