package yjs

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// maxSafeInteger is Number.MAX_SAFE_INTEGER: every client id, clock and length in an update is a JS number.
const maxSafeInteger = 1<<53 - 1

// decoder reads lib0-encoded values. Every read checks the remaining input first, so a hostile
// length can never make it allocate more than the input holds.
type decoder struct {
	b   []byte
	pos int
}

func newDecoder(b []byte) *decoder { return &decoder{b: b} }

func (d *decoder) remaining() int { return len(d.b) - d.pos }

func (d *decoder) readUint8() (byte, error) {
	if d.pos >= len(d.b) {
		return 0, ErrUnexpectedEOF
	}
	c := d.b[d.pos]
	d.pos++
	return c, nil
}

// readVarUint reads a lib0 varUint (7 bits per byte, little endian, 0x80 = more) into a uint64.
// Redundant zero groups are accepted like lib0 does; set bits beyond 64 are an error.
func (d *decoder) readVarUint() (uint64, error) {
	var num uint64
	var shift uint
	for d.pos < len(d.b) {
		r := d.b[d.pos]
		d.pos++
		bits := uint64(r & 0x7f)
		if bits != 0 {
			if shift >= 64 || (shift > 57 && bits>>(64-shift) != 0) {
				return 0, ErrIntegerOutOfRange
			}
			num |= bits << shift
		}
		if r < 0x80 {
			return num, nil
		}
		shift += 7
	}
	return 0, ErrUnexpectedEOF
}

// readSafeUint reads a varUint that must be a JS safe integer.
func (d *decoder) readSafeUint() (uint64, error) {
	v, err := d.readVarUint()
	if err != nil {
		return 0, err
	}
	if v > maxSafeInteger {
		return 0, ErrIntegerOutOfRange
	}
	return v, nil
}

// readVarInt reads a lib0 varInt: the first byte holds continue (0x80), sign (0x40) and 6 bits.
// It returns the magnitude and the sign separately so that -0 survives.
func (d *decoder) readVarInt() (mag uint64, neg bool, err error) {
	r, err := d.readUint8()
	if err != nil {
		return 0, false, err
	}
	mag = uint64(r & 0x3f)
	neg = r&0x40 != 0
	if r < 0x80 {
		return mag, neg, nil
	}
	shift := uint(6)
	for d.pos < len(d.b) {
		r = d.b[d.pos]
		d.pos++
		bits := uint64(r & 0x7f)
		if bits != 0 {
			if shift >= 64 || (shift > 57 && bits>>(64-shift) != 0) {
				return 0, false, ErrIntegerOutOfRange
			}
			mag |= bits << shift
		}
		if mag > maxSafeInteger {
			return 0, false, ErrIntegerOutOfRange
		}
		if r < 0x80 {
			return mag, neg, nil
		}
		shift += 7
	}
	return 0, false, ErrUnexpectedEOF
}

// readBytes returns the next n bytes without copying.
func (d *decoder) readBytes(n uint64) ([]byte, error) {
	if n > uint64(d.remaining()) {
		return nil, ErrUnexpectedEOF
	}
	b := d.b[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

// readVarBytes reads a varUint8Array without copying.
func (d *decoder) readVarBytes() ([]byte, error) {
	n, err := d.readVarUint()
	if err != nil {
		return nil, err
	}
	return d.readBytes(n)
}

// readVarString reads a varString. lib0 decodes with TextDecoder("utf-8", {fatal: true,
// ignoreBOM: true}), so invalid UTF-8 is an error and a BOM is kept.
func (d *decoder) readVarString() (string, error) {
	b, err := d.readVarBytes()
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", ErrInvalidUTF8
	}
	return string(b), nil
}

func (d *decoder) readFloat32() (float32, error) {
	b, err := d.readBytes(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
}

func (d *decoder) readFloat64() (float64, error) {
	b, err := d.readBytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}

// appendVarUint appends v as a lib0 varUint.
func appendVarUint(dst []byte, v uint64) []byte {
	for v > 0x7f {
		dst = append(dst, 0x80|byte(v&0x7f))
		v >>= 7
	}
	return append(dst, byte(v))
}

// appendVarInt appends a lib0 varInt with the given magnitude and sign (neg with mag 0 is -0).
func appendVarInt(dst []byte, mag uint64, neg bool) []byte {
	first := byte(mag & 0x3f)
	if neg {
		first |= 0x40
	}
	if mag > 0x3f {
		first |= 0x80
	}
	dst = append(dst, first)
	mag >>= 6
	for mag > 0 {
		c := byte(mag & 0x7f)
		mag >>= 7
		if mag > 0 {
			c |= 0x80
		}
		dst = append(dst, c)
	}
	return dst
}

// appendVarString appends a varString (byte length + UTF-8). s must be valid UTF-8.
func appendVarString(dst []byte, s string) []byte {
	dst = appendVarUint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendVarBytes appends a varUint8Array.
func appendVarBytes(dst, b []byte) []byte {
	dst = appendVarUint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendVarUint appends v as a lib0 varUint (7-bit little-endian groups, 0x80 = continue).
func AppendVarUint(dst []byte, v uint64) []byte { return appendVarUint(dst, v) }

// ReadVarUint decodes a lib0 varUint from the start of b and returns it with the number of bytes read.
func ReadVarUint(b []byte) (uint64, int, error) {
	d := newDecoder(b)
	v, err := d.readVarUint()
	if err != nil {
		return 0, 0, fmt.Errorf("varUint: %w", err)
	}
	return v, d.pos, nil
}

// AppendVarInt appends v as a lib0 varInt.
func AppendVarInt(dst []byte, v int64) []byte {
	if v < 0 {
		return appendVarInt(dst, uint64(-v), true)
	}
	return appendVarInt(dst, uint64(v), false)
}

// ReadVarInt decodes a lib0 varInt (-0 reads as 0) and returns it with the number of bytes read.
func ReadVarInt(b []byte) (int64, int, error) {
	d := newDecoder(b)
	mag, neg, err := d.readVarInt()
	if err != nil {
		return 0, 0, fmt.Errorf("varInt: %w", err)
	}
	if neg {
		return -int64(mag), d.pos, nil
	}
	return int64(mag), d.pos, nil
}

// AppendVarString appends a lib0 varString. Invalid UTF-8 is replaced by U+FFFD (what TextEncoder
// does with lone surrogates), so the output always decodes.
func AppendVarString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = toValidUTF8(s)
	}
	return appendVarString(dst, s)
}

// ReadVarString decodes a lib0 varString and returns it with the number of bytes read.
func ReadVarString(b []byte) (string, int, error) {
	d := newDecoder(b)
	s, err := d.readVarString()
	if err != nil {
		return "", 0, fmt.Errorf("varString: %w", err)
	}
	return s, d.pos, nil
}

// AppendVarBytes appends a lib0 varUint8Array.
func AppendVarBytes(dst, b []byte) []byte { return appendVarBytes(dst, b) }

// toValidUTF8 converts WTF-8 to UTF-8 like TextEncoder: each lone surrogate (and each invalid
// byte) becomes U+FFFD.
func toValidUTF8(s string) string {
	out := make([]byte, 0, len(s)+8)
	for len(s) > 0 {
		r, size := decodeWTF8(s)
		if r >= 0xd800 && r < 0xe000 {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
		s = s[size:]
	}
	return string(out)
}
