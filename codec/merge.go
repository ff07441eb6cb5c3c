package codec

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// IsObjectLike reports whether raw is a JSON object or array: the values the
// reference treats as "non-null objects" for a live-state merge.
func IsObjectLike(raw []byte) bool {
	c := firstNonSpace(raw)
	return c == '{' || c == '['
}

// ShallowMerge returns the JSON of JavaScript's {...old, ...upd} for two
// object-like values (arrays spread as index keys), with JavaScript's property
// order: integer-like keys ascending first, then the others in insertion
// order. It returns an error if either value is not object-like JSON.
func ShallowMerge(old, upd []byte) ([]byte, error) {
	var keys []string
	vals := map[string]json.RawMessage{}
	add := func(raw []byte) error {
		return eachProperty(raw, func(k string, v json.RawMessage) {
			if _, ok := vals[k]; !ok {
				keys = append(keys, k)
			}
			vals[k] = v
		})
	}
	if err := add(old); err != nil {
		return nil, err
	}
	if err := add(upd); err != nil {
		return nil, err
	}
	ordered := make([]string, 0, len(keys))
	var ints []string
	for _, k := range keys {
		if isArrayIndex(k) {
			ints = append(ints, k)
		} else {
			ordered = append(ordered, k)
		}
	}
	sortIndexKeys(ints)
	ordered = append(ints, ordered...)
	out := make([]byte, 0, len(old)+len(upd))
	out = append(out, '{')
	for i, k := range ordered {
		if i > 0 {
			out = append(out, ',')
		}
		out = AppendString(out, k)
		out = append(out, ':')
		out = append(out, vals[k]...)
	}
	return append(out, '}'), nil
}

// eachProperty calls fn for each own enumerable property of an object or
// array, in source order.
func eachProperty(raw []byte, fn func(string, json.RawMessage)) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return ErrInvalidJSON
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return ErrInvalidJSON
			}
			k, _ := kt.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return ErrInvalidJSON
			}
			fn(k, v)
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return ErrInvalidJSON
			}
			fn(strconv.Itoa(i), v)
		}
	default:
		return ErrNotObject
	}
	return nil
}

// isArrayIndex reports whether k is a canonical array index (0 … 2^32−2),
// which JavaScript orders before other property names.
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

func sortIndexKeys(ks []string) {
	// insertion sort: live-state objects are small
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && indexLess(ks[j], ks[j-1]); j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
}

func indexLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
