package yjs

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file implements JavaScript's JSON.parse and JSON.stringify for Any values. yjs stores
// ContentJSON, ContentEmbed and ContentFormat values as JSON text and re-serializes them with
// JSON.stringify(JSON.parse(text)) whenever it re-encodes an update, so byte-exact merging needs
// the same normalization. Strings may hold lone surrogates (from \uD800 escapes); they are kept
// as WTF-8 (the 3-byte encoding of the surrogate code point).

// ParseJSON parses JSON text like JSON.parse: numbers become float64 (overflow gives ±Inf), duplicate
// keys keep the first position and the last value, integer-like keys come first.
func ParseJSON(text []byte) (Any, error) {
	if !utf8.Valid(text) {
		return Any{}, ErrInvalidUTF8
	}
	p := jsonParser{s: text}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Any{}, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return Any{}, fmt.Errorf("%w: trailing data at offset %d", ErrInvalidJSON, p.pos)
	}
	return v, nil
}

type jsonParser struct {
	s   []byte
	pos int
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) errf(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidJSON, what, p.pos)
}

func (p *jsonParser) literal(word string, v Any) (Any, error) {
	if len(p.s)-p.pos < len(word) || string(p.s[p.pos:p.pos+len(word)]) != word {
		return Any{}, p.errf("unexpected token")
	}
	p.pos += len(word)
	return v, nil
}

func (p *jsonParser) value(depth int) (Any, error) {
	if depth > maxDepth {
		return Any{}, p.errf("nested too deep")
	}
	if p.pos >= len(p.s) {
		return Any{}, p.errf("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		return Any{Kind: AnyString, Str: s}, err
	case c == 't':
		return p.literal("true", Any{Kind: AnyBool, Bool: true})
	case c == 'f':
		return p.literal("false", Any{Kind: AnyBool})
	case c == 'n':
		return p.literal("null", Any{Kind: AnyNull})
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return Any{}, p.errf("unexpected token")
	}
}

func (p *jsonParser) object(depth int) (Any, error) {
	p.pos++ // {
	var keys []string
	var vals []Any
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		return Any{Kind: AnyObject}, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return Any{}, p.errf("expected string key")
		}
		k, err := p.str()
		if err != nil {
			return Any{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return Any{}, p.errf("expected ':'")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return Any{}, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return Any{}, p.errf("unexpected end")
		}
		if p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.s[p.pos] == '}' {
			p.pos++
			keys, vals = jsObjectOrder(keys, vals)
			return Any{Kind: AnyObject, Keys: keys, Values: vals}, nil
		}
		return Any{}, p.errf("expected ',' or '}'")
	}
}

func (p *jsonParser) array(depth int) (Any, error) {
	p.pos++ // [
	items := []Any{}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		return Any{Kind: AnyArray, Items: items}, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return Any{}, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return Any{}, p.errf("unexpected end")
		}
		if p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.s[p.pos] == ']' {
			p.pos++
			return Any{Kind: AnyArray, Items: items}, nil
		}
		return Any{}, p.errf("expected ',' or ']'")
	}
}

func (p *jsonParser) number() (Any, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.s[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return Any{}, p.errf("bad number")
	}
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return Any{}, p.errf("bad number")
		}
	}
	if p.pos < len(p.s) && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return Any{}, p.errf("bad number")
		}
	}
	f, err := strconv.ParseFloat(string(p.s[start:p.pos]), 64)
	if err != nil && !math.IsInf(f, 0) && f != 0 {
		return Any{}, p.errf("bad number")
	}
	return Any{Kind: AnyNumber, Num: f}, nil
}

func hexVal(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// str parses a JSON string literal into WTF-8 (lone surrogates kept as 3-byte sequences).
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	var out []byte
	pendingHigh := rune(-1) // a high surrogate from a \u escape waiting for its low half
	flushHigh := func() {
		if pendingHigh >= 0 {
			out = appendWTF8(out, pendingHigh)
			pendingHigh = -1
		}
	}
	for {
		if p.pos >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			flushHigh()
			return string(out), nil
		case c < 0x20:
			return "", p.errf("control character in string")
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return "", p.errf("unterminated string")
			}
			e := p.s[p.pos+1]
			p.pos += 2
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				if len(p.s)-p.pos < 4 {
					return "", p.errf("bad unicode escape")
				}
				for i := 0; i < 4; i++ {
					h, ok := hexVal(p.s[p.pos+i])
					if !ok {
						return "", p.errf("bad unicode escape")
					}
					r = r<<4 | h
				}
				p.pos += 4
			default:
				return "", p.errf("bad escape")
			}
			switch {
			case r >= 0xd800 && r < 0xdc00:
				flushHigh()
				pendingHigh = r
				continue
			case r >= 0xdc00 && r < 0xe000 && pendingHigh >= 0:
				out = utf8.AppendRune(out, utf16.DecodeRune(pendingHigh, r))
				pendingHigh = -1
				continue
			}
			flushHigh()
			out = appendWTF8(out, r)
		default:
			flushHigh()
			_, size := utf8.DecodeRune(p.s[p.pos:])
			out = append(out, p.s[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
}

// appendWTF8 appends r as UTF-8, encoding surrogate code points as their 3-byte form.
func appendWTF8(dst []byte, r rune) []byte {
	if r >= 0xd800 && r < 0xe000 {
		return append(dst, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
	return utf8.AppendRune(dst, r)
}

// decodeWTF8 decodes the next code point of a WTF-8 string; surrogates are returned as such.
func decodeWTF8(s string) (rune, int) {
	if len(s) >= 3 && s[0] == 0xed && s[1] >= 0xa0 && s[1] <= 0xbf && s[2] >= 0x80 && s[2] <= 0xbf {
		return rune(s[0]&0x0f)<<12 | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f), 3
	}
	return utf8.DecodeRuneInString(s)
}

// AppendJSON appends the value as JSON.stringify would write it: NaN and ±Infinity become null,
// -0 becomes 0, undefined array elements become null and undefined object values are left out.
// A Uint8Array is written as an object of its indices (like JSON.stringify). Deviations, because
// JSON.stringify has no answer for them: a top-level undefined is written as null and a bigint as
// a plain JSON number.
func (a Any) AppendJSON(dst []byte) ([]byte, error) {
	return appendJSON(dst, a, 0)
}

func appendJSON(dst []byte, a Any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fmt.Errorf("%w: nested too deep", ErrInvalidJSON)
	}
	switch a.Kind {
	case AnyUndefined, AnyNull:
		return append(dst, "null"...), nil
	case AnyBool:
		return strconv.AppendBool(dst, a.Bool), nil
	case AnyNumber:
		if math.IsNaN(a.Num) || math.IsInf(a.Num, 0) {
			return append(dst, "null"...), nil
		}
		return appendJSNumber(dst, a.Num), nil
	case AnyBigInt:
		return strconv.AppendInt(dst, a.BigInt, 10), nil
	case AnyString:
		return appendJSONString(dst, a.Str), nil
	case AnyBytes:
		dst = append(dst, '{')
		for i, c := range a.Bytes {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = strconv.AppendInt(dst, int64(i), 10)
			dst = append(dst, '"', ':')
			dst = strconv.AppendInt(dst, int64(c), 10)
		}
		return append(dst, '}'), nil
	case AnyArray:
		dst = append(dst, '[')
		for i, it := range a.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSON(dst, it, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case AnyObject:
		keys, vals := jsObjectOrder(a.Keys, a.Values)
		dst = append(dst, '{')
		first := true
		for i, k := range keys {
			if vals[i].Kind == AnyUndefined {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJSON(dst, vals[i], depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("%w: unknown kind %d", ErrInvalidJSON, a.Kind)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes a WTF-8 string like JSON.stringify (well-formed variant).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				if c < 0x20 {
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				} else {
					dst = append(dst, c)
				}
			}
			s = s[1:]
			continue
		}
		r, size := decodeWTF8(s)
		if r >= 0xd800 && r < 0xe000 {
			dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		} else if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\ufffd"...)
		} else {
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return append(dst, '"')
}

// appendJSNumber appends a finite number like JavaScript's Number.prototype.toString.
func appendJSNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d.ddde±XX, shortest round trip
	mant, exp := e, 0
	for i := 0; i < len(e); i++ {
		if e[i] == 'e' {
			mant = e[:i]
			x, _ := strconv.Atoi(string(e[i+1:]))
			exp = x
			break
		}
	}
	var digits []byte
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	k := len(digits)
	n := exp + 1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for i := 0; i < n-k; i++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for i := 0; i < -n; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}

// normalizeJSON returns JSON.stringify(JSON.parse(text)).
func normalizeJSON(text []byte) (string, error) {
	v, err := ParseJSON(text)
	if err != nil {
		return "", err
	}
	out, err := v.AppendJSON(nil)
	return string(out), err
}
