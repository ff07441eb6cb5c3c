package yjs

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// lib0 writeAny / readAny tags.
const (
	tagUndefined = 127
	tagNull      = 126
	tagInteger   = 125
	tagFloat32   = 124
	tagFloat64   = 123
	tagBigInt    = 122
	tagFalse     = 121
	tagTrue      = 120
	tagString    = 119
	tagObject    = 118
	tagArray     = 117
	tagBytes     = 116
)

// maxDepth bounds the nesting of any values and JSON texts (recursion depth).
const maxDepth = 2000

// AnyKind is the JavaScript type of an Any value.
type AnyKind uint8

// Any kinds.
const (
	AnyUndefined AnyKind = iota
	AnyNull
	AnyBool
	AnyNumber
	AnyBigInt
	AnyString
	AnyObject
	AnyArray
	AnyBytes
)

// Any is a lib0 "any" value with JavaScript semantics: numbers are float64 (JS numbers), objects
// keep their keys in JS property order (integer-like keys ascending first, then insertion order).
type Any struct {
	Kind   AnyKind
	Bool   bool    // AnyBool
	Num    float64 // AnyNumber (NaN payloads are kept)
	BigInt int64   // AnyBigInt
	Str    string  // AnyString
	Bytes  []byte  // AnyBytes
	Items  []Any   // AnyArray
	Keys   []string
	Values []Any // AnyObject: Values[i] belongs to Keys[i]
}

// Get returns the value of key in an object and whether it exists.
func (a Any) Get(key string) (Any, bool) {
	for i, k := range a.Keys {
		if k == key {
			return a.Values[i], true
		}
	}
	return Any{}, false
}

// isArrayIndex reports whether a property key is a JS array index (canonical uint32 below 2^32-1):
// such keys come first, in ascending order, in Object.keys.
func isArrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n < 1<<32-1
}

// jsObjectOrder returns keys/values as a JS object built by assigning them in order would
// enumerate them: duplicates keep the first position and the last value, array indices first.
func jsObjectOrder(keys []string, vals []Any) ([]string, []Any) {
	needDedup := len(keys) > 1
	if needDedup {
		seen := make(map[string]int, len(keys))
		outK := keys[:0:0]
		outV := vals[:0:0]
		for i, k := range keys {
			if j, ok := seen[k]; ok {
				outV[j] = vals[i]
				continue
			}
			seen[k] = len(outK)
			outK = append(outK, k)
			outV = append(outV, vals[i])
		}
		keys, vals = outK, outV
	}
	idx := make([]int, len(keys))
	hasIndex := false
	for i, k := range keys {
		idx[i] = i
		if _, ok := isArrayIndex(k); ok {
			hasIndex = true
		}
	}
	if !hasIndex {
		return keys, vals
	}
	sort.SliceStable(idx, func(a, b int) bool {
		na, ia := isArrayIndex(keys[idx[a]])
		nb, ib := isArrayIndex(keys[idx[b]])
		switch {
		case ia && ib:
			return na < nb
		case ia:
			return true
		default:
			return false
		}
	})
	outK := make([]string, len(keys))
	outV := make([]Any, len(keys))
	for i, j := range idx {
		outK[i], outV[i] = keys[j], vals[j]
	}
	return outK, outV
}

// AppendAny appends v with lib0 writeAny. Numbers follow JS rules: integers with |x| <= 2^31-1 as
// varInt, values that survive a float32 round trip as float32, everything else as float64.
// Object keys are written in JS property order.
func AppendAny(dst []byte, v Any) []byte {
	switch v.Kind {
	case AnyNull:
		return append(dst, tagNull)
	case AnyBool:
		if v.Bool {
			return append(dst, tagTrue)
		}
		return append(dst, tagFalse)
	case AnyNumber:
		return appendAnyNumber(dst, v.Num)
	case AnyBigInt:
		dst = append(dst, tagBigInt)
		return binary.BigEndian.AppendUint64(dst, uint64(v.BigInt))
	case AnyString:
		dst = append(dst, tagString)
		return AppendVarString(dst, v.Str)
	case AnyArray:
		dst = append(dst, tagArray)
		dst = appendVarUint(dst, uint64(len(v.Items)))
		for _, it := range v.Items {
			dst = AppendAny(dst, it)
		}
		return dst
	case AnyBytes:
		dst = append(dst, tagBytes)
		return appendVarBytes(dst, v.Bytes)
	case AnyObject:
		keys, vals := jsObjectOrder(v.Keys, v.Values)
		dst = append(dst, tagObject)
		dst = appendVarUint(dst, uint64(len(keys)))
		for i, k := range keys {
			dst = AppendVarString(dst, k)
			dst = AppendAny(dst, vals[i])
		}
		return dst
	default:
		return append(dst, tagUndefined)
	}
}

// isSmallInteger is lib0's test for the varInt encoding: Number.isInteger(x) && |x| <= 2^31-1.
func isSmallInteger(f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32
}

// isFloat32 is lib0's test: the value survives a float32 round trip (never true for NaN).
func isFloat32(f float64) bool { return float64(float32(f)) == f }

func appendAnyNumber(dst []byte, f float64) []byte {
	switch {
	case isSmallInteger(f):
		dst = append(dst, tagInteger)
		return appendVarInt(dst, uint64(math.Abs(f)), math.Signbit(f))
	case isFloat32(f):
		dst = append(dst, tagFloat32)
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(f)))
	default:
		dst = append(dst, tagFloat64)
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
	}
}

// float32ToFloat64 widens like a JS engine does (NaN payload kept, quiet bit set), independent of
// the CPU.
func float32ToFloat64(f float32) float64 {
	bits := math.Float32bits(f)
	if bits&0x7f800000 == 0x7f800000 && bits&0x7fffff != 0 {
		sign := uint64(bits>>31) << 63
		return math.Float64frombits(sign | 0x7ff0000000000000 | uint64(bits&0x7fffff|0x400000)<<29)
	}
	return float64(f)
}

// DecodeAny decodes one lib0 any value from the start of b with readAny semantics and returns it
// with the number of bytes read. Like a JS object, "__proto__" keys are dropped and duplicate keys
// keep the last value.
func DecodeAny(b []byte) (Any, int, error) {
	d := newDecoder(b)
	v, err := d.readAny(0)
	if err != nil {
		return Any{}, 0, err
	}
	return v, d.pos, nil
}

func (d *decoder) readAny(depth int) (Any, error) {
	if depth > maxDepth {
		return Any{}, fmt.Errorf("%w: nested too deep", ErrInvalidAny)
	}
	tag, err := d.readUint8()
	if err != nil {
		return Any{}, err
	}
	switch tag {
	case tagUndefined:
		return Any{Kind: AnyUndefined}, nil
	case tagNull:
		return Any{Kind: AnyNull}, nil
	case tagTrue:
		return Any{Kind: AnyBool, Bool: true}, nil
	case tagFalse:
		return Any{Kind: AnyBool}, nil
	case tagInteger:
		mag, neg, err := d.readVarInt()
		if err != nil {
			return Any{}, err
		}
		f := float64(mag)
		if neg {
			f = -f
		}
		return Any{Kind: AnyNumber, Num: f}, nil
	case tagFloat32:
		f, err := d.readFloat32()
		if err != nil {
			return Any{}, err
		}
		return Any{Kind: AnyNumber, Num: float32ToFloat64(f)}, nil
	case tagFloat64:
		f, err := d.readFloat64()
		if err != nil {
			return Any{}, err
		}
		return Any{Kind: AnyNumber, Num: f}, nil
	case tagBigInt:
		b, err := d.readBytes(8)
		if err != nil {
			return Any{}, err
		}
		return Any{Kind: AnyBigInt, BigInt: int64(binary.BigEndian.Uint64(b))}, nil
	case tagString:
		s, err := d.readVarString()
		if err != nil {
			return Any{}, err
		}
		return Any{Kind: AnyString, Str: s}, nil
	case tagBytes:
		b, err := d.readVarBytes()
		if err != nil {
			return Any{}, err
		}
		return Any{Kind: AnyBytes, Bytes: append([]byte{}, b...)}, nil
	case tagArray:
		n, err := d.readVarUint()
		if err != nil {
			return Any{}, err
		}
		if n > uint64(d.remaining()) {
			return Any{}, ErrUnexpectedEOF
		}
		items := make([]Any, 0, n)
		for i := uint64(0); i < n; i++ {
			it, err := d.readAny(depth + 1)
			if err != nil {
				return Any{}, err
			}
			items = append(items, it)
		}
		return Any{Kind: AnyArray, Items: items}, nil
	case tagObject:
		n, err := d.readVarUint()
		if err != nil {
			return Any{}, err
		}
		if n > uint64(d.remaining())/2 {
			return Any{}, ErrUnexpectedEOF
		}
		keys := make([]string, 0, n)
		vals := make([]Any, 0, n)
		for i := uint64(0); i < n; i++ {
			k, err := d.readVarString()
			if err != nil {
				return Any{}, err
			}
			v, err := d.readAny(depth + 1)
			if err != nil {
				return Any{}, err
			}
			if k == "__proto__" { // obj.__proto__ = v sets the prototype, never an own key
				continue
			}
			keys = append(keys, k)
			vals = append(vals, v)
		}
		keys, vals = jsObjectOrder(keys, vals)
		return Any{Kind: AnyObject, Keys: keys, Values: vals}, nil
	default:
		return Any{}, fmt.Errorf("%w: unknown tag %d", ErrInvalidAny, tag)
	}
}

// readCanonicalAny reads one any value and appends the bytes JS would produce for
// writeAny(readAny(input)). Already canonical input (everything yjs writes) is copied as is.
func (d *decoder) readCanonicalAny(dst []byte) ([]byte, error) {
	start := d.pos
	canonical, err := d.scanAny(0)
	if err != nil {
		return dst, err
	}
	if canonical {
		return append(dst, d.b[start:d.pos]...), nil
	}
	d.pos = start
	v, err := d.readAny(0)
	if err != nil {
		return dst, err
	}
	return AppendAny(dst, v), nil
}

// readMinimalVarUint reads a varUint and reports whether its encoding is the shortest one.
func (d *decoder) readMinimalVarUint() (uint64, bool, error) {
	start := d.pos
	v, err := d.readVarUint()
	if err != nil {
		return 0, false, err
	}
	return v, d.pos-start == varUintLen(v), nil
}

func varUintLen(v uint64) int {
	n := 1
	for v > 0x7f {
		v >>= 7
		n++
	}
	return n
}

// scanAny validates one any value and reports whether JS would re-encode it to the same bytes.
func (d *decoder) scanAny(depth int) (bool, error) {
	if depth > maxDepth {
		return false, fmt.Errorf("%w: nested too deep", ErrInvalidAny)
	}
	tag, err := d.readUint8()
	if err != nil {
		return false, err
	}
	switch tag {
	case tagUndefined, tagNull, tagTrue, tagFalse:
		return true, nil
	case tagInteger:
		start := d.pos
		mag, neg, err := d.readVarInt()
		if err != nil {
			return false, err
		}
		return mag <= math.MaxInt32 && d.pos-start == len(appendVarInt(nil, mag, neg)), nil
	case tagFloat32:
		f, err := d.readFloat32()
		if err != nil {
			return false, err
		}
		g := float32ToFloat64(f)
		return !math.IsNaN(g) && !isSmallInteger(g), nil
	case tagFloat64:
		f, err := d.readFloat64()
		if err != nil {
			return false, err
		}
		return !isSmallInteger(f) && !isFloat32(f), nil
	case tagBigInt:
		_, err := d.readBytes(8)
		return true, err
	case tagString:
		_, minimal, err := d.scanString()
		return minimal, err
	case tagBytes:
		n, min, err := d.readMinimalVarUint()
		if err != nil {
			return false, err
		}
		_, err = d.readBytes(n)
		return min, err
	case tagArray:
		n, canonical, err := d.readMinimalVarUint()
		if err != nil {
			return false, err
		}
		if n > uint64(d.remaining()) {
			return false, ErrUnexpectedEOF
		}
		for i := uint64(0); i < n; i++ {
			c, err := d.scanAny(depth + 1)
			if err != nil {
				return false, err
			}
			canonical = canonical && c
		}
		return canonical, nil
	case tagObject:
		return d.scanObject(depth)
	default:
		return false, fmt.Errorf("%w: unknown tag %d", ErrInvalidAny, tag)
	}
}

func (d *decoder) scanString() ([]byte, bool, error) {
	n, minimal, err := d.readMinimalVarUint()
	if err != nil {
		return nil, false, err
	}
	b, err := d.readBytes(n)
	if err != nil {
		return nil, false, err
	}
	if !utf8.Valid(b) {
		return nil, false, ErrInvalidUTF8
	}
	return b, minimal, nil
}

func (d *decoder) scanObject(depth int) (bool, error) {
	n, canonical, err := d.readMinimalVarUint()
	if err != nil {
		return false, err
	}
	if n > uint64(d.remaining())/2 {
		return false, ErrUnexpectedEOF
	}
	var names map[string]struct{}
	lastIndex, sawName := int64(-1), false
	for i := uint64(0); i < n; i++ {
		kb, minimal, err := d.scanString()
		if err != nil {
			return false, err
		}
		c, err := d.scanAny(depth + 1)
		if err != nil {
			return false, err
		}
		if !canonical || !minimal || !c {
			canonical = false
			continue
		}
		k := string(kb)
		if k == "__proto__" {
			canonical = false
			continue
		}
		if idx, ok := isArrayIndex(k); ok {
			if sawName || int64(idx) <= lastIndex {
				canonical = false
			}
			lastIndex = int64(idx)
			continue
		}
		sawName = true
		if names == nil {
			names = make(map[string]struct{})
		}
		if _, dup := names[k]; dup {
			canonical = false
		}
		names[k] = struct{}{}
	}
	return canonical, nil
}

// String renders the value for debugging (JSON-like).
func (a Any) String() string {
	switch a.Kind {
	case AnyUndefined:
		return "undefined"
	case AnyBigInt:
		return strconv.FormatInt(a.BigInt, 10) + "n"
	default:
		b, err := a.AppendJSON(nil)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
}
