package codec

import (
	"encoding/json"
	"errors"
)

// A hand-written JSON scanner for the inbound hot path. Every client message
// is a JSON object whose interesting members are top-level; DecodeJSON used
// to find them with encoding/json (reflection over a 19-field struct, and
// the document scanned twice), which was about a tenth of the server's CPU
// with thousands of cursor updates a second. The scanner validates the whole
// document against the JSON grammar (RFC 8259, as encoding/json.Valid does:
// no UTF-8 check) in one pass without allocating, and hands back the raw
// bytes of each top-level member.
//
// Keys are matched exactly, as JavaScript's JSON.parse does: {"Type":…} has
// no "type" (encoding/json matched field names case-insensitively). A key
// that occurs twice takes its last value, as in JSON.parse.

// maxDepth bounds nesting, as encoding/json does (it refuses documents
// nested deeper than 10000).
const maxDepth = 10000

var errSyntax = errors.New("syntax error")

// isSpace reports JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// objectMembers calls fn with the key (unescaped) and the raw value of each
// member of the object at d[i] (d[i] == '{'), and returns the index after
// the object. It validates the object, members included.
func objectMembers(d []byte, i, depth int, fn func(key, value []byte)) (int, error) {
	if depth > maxDepth {
		return 0, errSyntax
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return 0, errSyntax
		}
		ks := i
		end, esc, err := scanString(d, i)
		if err != nil {
			return 0, err
		}
		key := d[ks+1 : end-1]
		if esc {
			key, err = unescapeKey(d[ks:end])
			if err != nil {
				return 0, err
			}
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return 0, errSyntax
		}
		i = skipSpace(d, i+1)
		vs := i
		if i, err = scanValue(d, i, depth+1); err != nil {
			return 0, err
		}
		if fn != nil {
			fn(key, d[vs:i])
		}
		var done bool
		if i, done, err = nextElement(d, i, '}'); err != nil || done {
			return i, err
		}
	}
}

// unescapeKey decodes a key with escapes (rare: the decoder's slow path).
func unescapeKey(quoted []byte) ([]byte, error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return nil, errSyntax
	}
	return []byte(s), nil
}

// scanValue validates the value starting at d[i] and returns the index after
// it.
func scanValue(d []byte, i, depth int) (int, error) {
	if i >= len(d) {
		return 0, errSyntax
	}
	switch c := d[i]; {
	case c == '"':
		end, _, err := scanString(d, i)
		return end, err
	case c == '{':
		return objectMembers(d, i, depth, nil)
	case c == '[':
		return scanArray(d, i, depth)
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(d, i)
	case c == 't':
		return scanLiteral(d, i, "true")
	case c == 'f':
		return scanLiteral(d, i, "false")
	case c == 'n':
		return scanLiteral(d, i, "null")
	}
	return 0, errSyntax
}

func scanArray(d []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errSyntax
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = scanValue(d, i, depth+1); err != nil {
			return 0, err
		}
		var done bool
		if i, done, err = nextElement(d, i, ']'); err != nil || done {
			return i, err
		}
	}
}

// nextElement follows an object member or array element ending at d[i]:
// past a comma it returns the next element's start, past the closing
// bracket the index after it and done.
func nextElement(d []byte, i int, closing byte) (next int, done bool, err error) {
	if i = skipSpace(d, i); i >= len(d) {
		return 0, false, errSyntax
	}
	switch d[i] {
	case ',':
		return skipSpace(d, i+1), false, nil
	case closing:
		return i + 1, true, nil
	}
	return 0, false, errSyntax
}

// scanString validates the string starting at d[i] (a quote) and returns
// the index after its closing quote and whether it holds escapes.
func scanString(d []byte, i int) (end int, escaped bool, err error) {
	for i++; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(d) {
				return 0, false, errSyntax
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) {
					return 0, false, errSyntax
				}
				for _, h := range d[i+1 : i+5] {
					if !isHex(h) {
						return 0, false, errSyntax
					}
				}
				i += 4
			default:
				return 0, false, errSyntax
			}
		case c < 0x20:
			return 0, false, errSyntax
		}
	}
	return 0, false, errSyntax
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func scanNumber(d []byte, i int) (int, error) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	default:
		return 0, errSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return 0, errSyntax
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return 0, errSyntax
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	return i, nil
}

func scanLiteral(d []byte, i int, lit string) (int, error) {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return 0, errSyntax
	}
	return i + len(lit), nil
}

// scanEnvelope validates data, a JSON object (data's first non-space byte
// is '{'), and fills env with the raw values of its top-level members.
func scanEnvelope(data []byte, env *envelope) error {
	i := skipSpace(data, 0)
	end, err := objectMembers(data, i, 1, env.set)
	if err != nil {
		return err
	}
	if skipSpace(data, end) != len(data) {
		return errSyntax
	}
	return nil
}

// set stores one top-level member.
func (env *envelope) set(key, v []byte) {
	switch string(key) {
	case "type":
		env.Type = v
	case "x":
		env.X = v
	case "y":
		env.Y = v
	case "viewportPos":
		env.ViewportPos = v
	case "viewportScale":
		env.ViewportScale = v
	case "cursorType":
		env.CursorType = v
	case "highlightRect":
		env.HighlightRect = v
	case "space":
		env.Space = v
	case "key":
		env.Key = v
	case "value":
		env.Value = v
	case "timestamp":
		env.Timestamp = v
	case "merge":
		env.Merge = v
	case "root":
		env.Root = v
	case "ops":
		env.Ops = v
	case "data":
		env.Data = v
	case "onlineStatus":
		env.OnlineStatus = v
	case "isIdle":
		env.IsIdle = v
	case "location":
		env.Location = v
	case "metadata":
		env.Metadata = v
	}
}

// objectFinite returns the finite numbers of an object's members named in
// keys (the last occurrence of each wins), and false unless raw is a valid
// object with every one of them a finite number.
func objectFinite(raw []byte, keys []string, out []float64) bool {
	if firstNonSpace(raw) != '{' {
		return false
	}
	if len(keys) > 8 {
		panic("codec: objectFinite takes at most 8 keys")
	}
	var found [8]bool
	var vals [8][]byte
	end, err := objectMembers(raw, skipSpace(raw, 0), 1, func(k, v []byte) {
		for j, want := range keys {
			if string(k) == want {
				vals[j], found[j] = v, true
			}
		}
	})
	if err != nil || skipSpace(raw, end) != len(raw) {
		return false
	}
	for j := range keys {
		if !found[j] {
			return false
		}
		f, ok := finiteNumber(vals[j])
		if !ok {
			return false
		}
		if out != nil {
			out[j] = f
		}
	}
	return true
}
