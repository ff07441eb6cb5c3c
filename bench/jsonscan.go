package bench

import (
	"bytes"
	"strconv"
)

// A minimal JSON scanner for the few fields the harness reads from server
// messages. It walks raw bytes without building values: at hundreds of
// thousands of deliveries a second the load generator must stay cheaper than
// the server it measures. Keys are compared raw (servers send ASCII keys
// without escapes); anything malformed makes the walk report false.

// jsonEachMember calls fn with the raw key (without quotes) and raw value of
// each member of the object b, until fn returns false. It reports whether b
// was a well-formed object up to where the walk stopped.
func jsonEachMember(b []byte, fn func(key, val []byte) bool) bool {
	i := jsonSkipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = jsonSkipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		kend, ok := jsonSkipString(b, i)
		if !ok {
			return false
		}
		key := b[i+1 : kend-1]
		i = jsonSkipWS(b, kend)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		vstart := jsonSkipWS(b, i+1)
		vend, ok := jsonSkipValue(b, vstart)
		if !ok {
			return false
		}
		if !fn(key, b[vstart:vend]) {
			return true
		}
		i = jsonSkipWS(b, vend)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = jsonSkipWS(b, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

// jsonEachElement calls fn with each raw element of the array b until fn
// returns false. It reports whether b was a well-formed array so far.
func jsonEachElement(b []byte, fn func(val []byte) bool) bool {
	i := jsonSkipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	i = jsonSkipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return true
	}
	for i < len(b) {
		end, ok := jsonSkipValue(b, i)
		if !ok {
			return false
		}
		if !fn(b[i:end]) {
			return true
		}
		i = jsonSkipWS(b, end)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = jsonSkipWS(b, i+1)
		case ']':
			return true
		default:
			return false
		}
	}
	return false
}

// jsonField returns the raw value of the member key of object b.
func jsonField(b []byte, key string) (val []byte, found bool) {
	jsonEachMember(b, func(k, v []byte) bool {
		if string(k) == key {
			val, found = v, true
			return false
		}
		return true
	})
	return val, found
}

// jsonStringValue returns the raw contents of a JSON string value (escapes
// left as they are).
func jsonStringValue(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	return v[1 : len(v)-1], true
}

// jsonNumberValue parses a raw JSON number.
func jsonNumberValue(v []byte) (float64, bool) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return f, err == nil
}

func jsonSkipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonSkipString returns the index just past the string starting at b[i]=='"'.
func jsonSkipString(b []byte, i int) (int, bool) {
	i++
	for {
		j := bytes.IndexAny(b[i:], `"\`)
		if j < 0 {
			return 0, false
		}
		i += j
		if b[i] == '"' {
			return i + 1, true
		}
		i += 2 // skip the escaped character
		if i > len(b) {
			return 0, false
		}
	}
}

// jsonSkipValue returns the index just past the value starting at b[i].
func jsonSkipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return jsonSkipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := jsonSkipString(b, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		start := i
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i, i > start
			}
			i++
		}
		return i, i > start
	}
}
