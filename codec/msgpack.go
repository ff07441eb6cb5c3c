package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// JSONToMsgpack transcodes one JSON value to MessagePack with the same shape:
// objects become maps with string keys in the same order, integral numbers
// that fit int64 become integers (in the smallest form), other numbers
// float64. It is how a room encodes a broadcast once for its msgpack
// members, so it works in one pass over the JSON straight into dst: a
// container's header is reserved at its widest and narrowed once its
// length is known. The output is byte for byte what msgpack.Encoder writes
// (EncodeMapLen, EncodeArrayLen, EncodeString, EncodeInt, EncodeFloat64).
func JSONToMsgpack(dst []byte, data []byte) ([]byte, error) {
	out, end, err := jsonToMP(dst, data, skipSpace(data, 0), 0)
	if err != nil {
		return nil, err
	}
	if skipSpace(data, end) != len(data) {
		return nil, ErrInvalidJSON
	}
	return out, nil
}

// jsonToMP appends the MessagePack form of the JSON value at d[i] and
// returns the index after the value.
func jsonToMP(dst, d []byte, i, depth int) ([]byte, int, error) {
	if depth > MaxDepth {
		return nil, 0, ErrTooDeep
	}
	if i >= len(d) {
		return nil, 0, ErrInvalidJSON
	}
	var err error
	switch c := d[i]; {
	case c == '{':
		hdr := len(dst)
		dst = append(dst, 0, 0, 0, 0, 0)
		n := 0
		if i = skipSpace(d, i+1); i < len(d) && d[i] == '}' {
			return mpHeader(dst, hdr, n, mpMap), i + 1, nil
		}
		for {
			if i >= len(d) || d[i] != '"' {
				return nil, 0, ErrInvalidJSON
			}
			if dst, i, err = mpString(dst, d, i); err != nil {
				return nil, 0, err
			}
			if i = skipSpace(d, i); i >= len(d) || d[i] != ':' {
				return nil, 0, ErrInvalidJSON
			}
			if dst, i, err = jsonToMP(dst, d, skipSpace(d, i+1), depth+1); err != nil {
				return nil, 0, err
			}
			n++
			var done bool
			if i, done, err = nextElement(d, i, '}'); err != nil {
				return nil, 0, ErrInvalidJSON
			} else if done {
				return mpHeader(dst, hdr, n, mpMap), i, nil
			}
		}
	case c == '[':
		hdr := len(dst)
		dst = append(dst, 0, 0, 0, 0, 0)
		n := 0
		if i = skipSpace(d, i+1); i < len(d) && d[i] == ']' {
			return mpHeader(dst, hdr, n, mpArray), i + 1, nil
		}
		for {
			if dst, i, err = jsonToMP(dst, d, i, depth+1); err != nil {
				return nil, 0, err
			}
			n++
			var done bool
			if i, done, err = nextElement(d, i, ']'); err != nil {
				return nil, 0, ErrInvalidJSON
			} else if done {
				return mpHeader(dst, hdr, n, mpArray), i, nil
			}
		}
	case c == '"':
		return mpString(dst, d, i)
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := scanNumber(d, i)
		if err != nil {
			return nil, 0, ErrInvalidJSON
		}
		dst, err = mpNumber(dst, d[i:end])
		return dst, end, err
	case c == 't':
		if end, err := scanLiteral(d, i, "true"); err == nil {
			return append(dst, msgpcode.True), end, nil
		}
	case c == 'f':
		if end, err := scanLiteral(d, i, "false"); err == nil {
			return append(dst, msgpcode.False), end, nil
		}
	case c == 'n':
		if end, err := scanLiteral(d, i, "null"); err == nil {
			return append(dst, msgpcode.Nil), end, nil
		}
	}
	return nil, 0, ErrInvalidJSON
}

type mpContainer uint8

const (
	mpMap mpContainer = iota
	mpArray
)

// mpHeader writes the header of the container of n elements whose 5 bytes
// were reserved at dst[hdr:], narrowing it to its smallest form.
func mpHeader(dst []byte, hdr, n int, kind mpContainer) []byte {
	var h [5]byte
	var size int
	fix, c16, c32 := msgpcode.FixedMapLow, msgpcode.Map16, msgpcode.Map32
	if kind == mpArray {
		fix, c16, c32 = msgpcode.FixedArrayLow, msgpcode.Array16, msgpcode.Array32
	}
	switch {
	case n < 16:
		h[0], size = fix|byte(n), 1
	case n <= math.MaxUint16:
		h[0], h[1], h[2], size = c16, byte(n>>8), byte(n), 3
	default:
		h[0], h[1], h[2], h[3], h[4], size = c32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 5
	}
	if size < 5 {
		copy(dst[hdr+size:], dst[hdr+5:])
		dst = dst[:len(dst)-(5-size)]
	}
	copy(dst[hdr:], h[:size])
	return dst
}

// mpString appends the JSON string at d[i] as a MessagePack string, as
// encoding/json decodes it (escapes resolved, invalid UTF-8 replaced).
func mpString(dst, d []byte, i int) ([]byte, int, error) {
	end, esc, err := scanString(d, i)
	if err != nil {
		return nil, 0, ErrInvalidJSON
	}
	raw := d[i+1 : end-1]
	if esc || !utf8.Valid(raw) {
		var s string
		if err := json.Unmarshal(d[i:end], &s); err != nil {
			return nil, 0, ErrInvalidJSON
		}
		raw = []byte(s)
	}
	n := len(raw)
	switch {
	case n < 32:
		dst = append(dst, msgpcode.FixedStrLow|byte(n))
	case n < 256:
		dst = append(dst, msgpcode.Str8, byte(n))
	case n <= math.MaxUint16:
		dst = append(dst, msgpcode.Str16, byte(n>>8), byte(n))
	default:
		dst = append(dst, msgpcode.Str32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, raw...), end, nil
}

// mpNumber appends a JSON number: an integer in its smallest form when it is
// integral and fits int64, else a float64.
func mpNumber(dst, num []byte) ([]byte, error) {
	s := string(num)
	if bytes.IndexAny(num, ".eE") < 0 { // ParseInt fails on the others, allocating its error
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return mpInt(dst, i), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, ErrInvalidJSON
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return mpInt(dst, int64(f)), nil
	}
	return binary.BigEndian.AppendUint64(append(dst, msgpcode.Double), math.Float64bits(f)), nil
}

// mpInt is msgpack.Encoder.EncodeInt.
func mpInt(dst []byte, n int64) []byte {
	if n >= 0 {
		switch u := uint64(n); {
		case u <= math.MaxInt8:
			return append(dst, byte(u))
		case u <= math.MaxUint8:
			return append(dst, msgpcode.Uint8, byte(u))
		case u <= math.MaxUint16:
			return binary.BigEndian.AppendUint16(append(dst, msgpcode.Uint16), uint16(u))
		case u <= math.MaxUint32:
			return binary.BigEndian.AppendUint32(append(dst, msgpcode.Uint32), uint32(u))
		default:
			return binary.BigEndian.AppendUint64(append(dst, msgpcode.Uint64), u)
		}
	}
	switch {
	case n >= int64(int8(msgpcode.NegFixedNumLow)):
		return append(dst, byte(n))
	case n >= math.MinInt8:
		return append(dst, msgpcode.Int8, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, msgpcode.Int16), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, msgpcode.Int32), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, msgpcode.Int64), uint64(n))
	}
}

// MsgpackToJSON transcodes one MessagePack value to JSON, keeping map order.
// Map keys must be strings or integers; binary, extension and timestamp
// values have no JSON equivalent and are rejected. Trailing bytes are an error.
// It reads the bytes directly (one pass, no allocation beyond dst): every
// inbound message of a msgpack client goes through it.
func MsgpackToJSON(dst []byte, data []byte) ([]byte, error) {
	out, i, err := mpToJSON(dst, data, 0, 0)
	if err != nil {
		return nil, err
	}
	if i != len(data) {
		return nil, fmt.Errorf("%w: trailing bytes", ErrInvalidMsgpack)
	}
	return out, nil
}

var errMsgpackShort = fmt.Errorf("%w: unexpected end of data", ErrInvalidMsgpack)

// mpUint reads the n-byte big-endian unsigned integer at d[i:].
func mpUint(d []byte, i, n int) (uint64, bool) {
	if len(d)-i < n {
		return 0, false
	}
	var u uint64
	for _, c := range d[i : i+n] {
		u = u<<8 | uint64(c)
	}
	return u, true
}

// mpLen reads a container or string length of n bytes after the code at d[i].
func mpLen(d []byte, i, n int) (int, int, error) {
	u, ok := mpUint(d, i+1, n)
	if !ok {
		return 0, 0, errMsgpackShort
	}
	return int(u), i + 1 + n, nil
}

// mpToJSON appends the JSON form of the MessagePack value at d[i] and
// returns the index after it.
func mpToJSON(dst, d []byte, i, depth int) ([]byte, int, error) {
	if depth > MaxDepth {
		return nil, 0, ErrTooDeep
	}
	if i >= len(d) {
		return nil, 0, errMsgpackShort
	}
	c := d[i]
	var (
		n   int
		err error
	)
	switch {
	case c <= msgpcode.PosFixedNumHigh:
		return strconv.AppendInt(dst, int64(c), 10), i + 1, nil
	case c >= msgpcode.NegFixedNumLow:
		return strconv.AppendInt(dst, int64(int8(c)), 10), i + 1, nil
	case c == msgpcode.Nil:
		return append(dst, "null"...), i + 1, nil
	case c == msgpcode.False:
		return append(dst, "false"...), i + 1, nil
	case c == msgpcode.True:
		return append(dst, "true"...), i + 1, nil
	case c >= msgpcode.Uint8 && c <= msgpcode.Uint64:
		w := 1 << (c - msgpcode.Uint8)
		u, ok := mpUint(d, i+1, w)
		if !ok {
			return nil, 0, errMsgpackShort
		}
		return strconv.AppendUint(dst, u, 10), i + 1 + w, nil
	case c >= msgpcode.Int8 && c <= msgpcode.Int64:
		w := 1 << (c - msgpcode.Int8)
		u, ok := mpUint(d, i+1, w)
		if !ok {
			return nil, 0, errMsgpackShort
		}
		return strconv.AppendInt(dst, signExtend(u, w), 10), i + 1 + w, nil
	case c == msgpcode.Float:
		u, ok := mpUint(d, i+1, 4)
		if !ok {
			return nil, 0, errMsgpackShort
		}
		return AppendNumber(dst, float64(math.Float32frombits(uint32(u)))), i + 5, nil
	case c == msgpcode.Double:
		u, ok := mpUint(d, i+1, 8)
		if !ok {
			return nil, 0, errMsgpackShort
		}
		return AppendNumber(dst, math.Float64frombits(u)), i + 9, nil
	case c >= msgpcode.FixedStrLow && c <= msgpcode.FixedStrHigh:
		n, i = int(c&msgpcode.FixedStrMask), i+1
	case c == msgpcode.Str8 || c == msgpcode.Str16 || c == msgpcode.Str32:
		if n, i, err = mpLen(d, i, 1<<(c-msgpcode.Str8)); err != nil {
			return nil, 0, err
		}
	case c >= msgpcode.FixedArrayLow && c <= msgpcode.FixedArrayHigh:
		return mpArrayToJSON(dst, d, i+1, int(c&msgpcode.FixedArrayMask), depth)
	case c == msgpcode.Array16 || c == msgpcode.Array32:
		if n, i, err = mpLen(d, i, 2<<(c-msgpcode.Array16)); err != nil {
			return nil, 0, err
		}
		return mpArrayToJSON(dst, d, i, n, depth)
	case c >= msgpcode.FixedMapLow && c <= msgpcode.FixedMapHigh:
		return mpMapToJSON(dst, d, i+1, int(c&msgpcode.FixedMapMask), depth)
	case c == msgpcode.Map16 || c == msgpcode.Map32:
		if n, i, err = mpLen(d, i, 2<<(c-msgpcode.Map16)); err != nil {
			return nil, 0, err
		}
		return mpMapToJSON(dst, d, i, n, depth)
	default:
		return nil, 0, fmt.Errorf("%w: unsupported code %#x", ErrInvalidMsgpack, c)
	}
	// A string of n bytes at d[i:].
	if n < 0 || n > len(d)-i {
		return nil, 0, fmt.Errorf("%w: string length %d", ErrInvalidMsgpack, n)
	}
	return appendStringBytes(dst, d[i:i+n]), i + n, nil
}

// signExtend reads u as a w-byte two's complement integer.
func signExtend(u uint64, w int) int64 {
	shift := 64 - 8*w
	return int64(u<<shift) >> shift
}

func mpArrayToJSON(dst, d []byte, i, n, depth int) ([]byte, int, error) {
	if n < 0 || n > len(d)-i {
		return nil, 0, fmt.Errorf("%w: array length %d", ErrInvalidMsgpack, n)
	}
	dst = append(dst, '[')
	var err error
	for k := range n {
		if k > 0 {
			dst = append(dst, ',')
		}
		if dst, i, err = mpToJSON(dst, d, i, depth+1); err != nil {
			return nil, 0, err
		}
	}
	return append(dst, ']'), i, nil
}

func mpMapToJSON(dst, d []byte, i, n, depth int) ([]byte, int, error) {
	if n < 0 || n > len(d)-i {
		return nil, 0, fmt.Errorf("%w: map length %d", ErrInvalidMsgpack, n)
	}
	dst = append(dst, '{')
	var err error
	for k := range n {
		if k > 0 {
			dst = append(dst, ',')
		}
		if i >= len(d) {
			return nil, 0, errMsgpackShort
		}
		switch c := d[i]; {
		case (c >= msgpcode.FixedStrLow && c <= msgpcode.FixedStrHigh) || c == msgpcode.Str8 || c == msgpcode.Str16 || c == msgpcode.Str32:
			if dst, i, err = mpToJSON(dst, d, i, depth+1); err != nil {
				return nil, 0, err
			}
		case c <= msgpcode.PosFixedNumHigh || c >= msgpcode.NegFixedNumLow || (c >= msgpcode.Uint8 && c <= msgpcode.Int64):
			// An integer key, as its decimal string (a uint64 key above
			// MaxInt64 reads as the int64 of its bits, as msgpack's
			// DecodeInt64 does).
			var num [24]byte
			var s []byte
			if s, i, err = mpToJSON(num[:0], d, i, depth+1); err != nil {
				return nil, 0, err
			}
			if c == msgpcode.Uint64 {
				u, _ := strconv.ParseUint(string(s), 10, 64)
				s = strconv.AppendInt(num[:0], int64(u), 10)
			}
			dst = append(append(append(dst, '"'), s...), '"')
		default:
			return nil, 0, fmt.Errorf("%w: map key code %#x", ErrInvalidMsgpack, c)
		}
		dst = append(dst, ':')
		if dst, i, err = mpToJSON(dst, d, i, depth+1); err != nil {
			return nil, 0, err
		}
	}
	return append(dst, '}'), i, nil
}

// DecodeMsgpack decodes one Lively message sent as a MessagePack binary frame:
// the map is transcoded to JSON and decoded by DecodeJSON, so both encodings
// share one validation path. Inbound.Raw is the JSON form.
func DecodeMsgpack(data []byte) (*Inbound, error) {
	j, err := MsgpackToJSON(make([]byte, 0, len(data)+len(data)/2), data)
	if err != nil {
		return nil, err
	}
	return DecodeJSON(j)
}
