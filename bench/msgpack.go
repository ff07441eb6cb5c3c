package bench

import (
	"encoding/binary"
	"math"
)

// Minimal MessagePack appenders and a zero-allocation reader for the few
// fields the harness reads, the msgpack twin of jsonscan.go. The tests check
// both directions against github.com/vmihailenco/msgpack/v5.

func mpAppendMap(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n))
	}
}

func mpAppendArray(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n))
	}
}

func mpAppendStr(dst []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, 0xd9, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

func mpAppendInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 128:
		return append(dst, byte(v))
	case v < 0 && v >= -32:
		return append(dst, byte(v))
	case v >= 0 && v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
	}
}

// mpReader walks a msgpack value in place. Any malformed input sets bad and
// makes every later call return zero values.
type mpReader struct {
	b   []byte
	i   int
	bad bool
}

func (r *mpReader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b)-r.i < n {
		r.bad = true
		return nil
	}
	p := r.b[r.i : r.i+n]
	r.i += n
	return p
}

func (r *mpReader) byte1() byte {
	p := r.take(1)
	if p == nil {
		return 0xc1 // never used: reads as invalid
	}
	return p[0]
}

func (r *mpReader) be(n int) uint64 {
	p := r.take(n)
	var v uint64
	for _, c := range p {
		v = v<<8 | uint64(c)
	}
	return v
}

// mapLen reads a map header.
func (r *mpReader) mapLen() (int, bool) {
	c := r.byte1()
	switch {
	case c >= 0x80 && c <= 0x8f:
		return int(c & 0x0f), !r.bad
	case c == 0xde:
		return int(r.be(2)), !r.bad
	case c == 0xdf:
		return int(r.be(4)), !r.bad
	}
	r.bad = true
	return 0, false
}

// arrayLen reads an array header.
func (r *mpReader) arrayLen() (int, bool) {
	c := r.byte1()
	switch {
	case c >= 0x90 && c <= 0x9f:
		return int(c & 0x0f), !r.bad
	case c == 0xdc:
		return int(r.be(2)), !r.bad
	case c == 0xdd:
		return int(r.be(4)), !r.bad
	}
	r.bad = true
	return 0, false
}

// str reads a string (or bin) and returns its bytes in place.
func (r *mpReader) str() ([]byte, bool) {
	c := r.byte1()
	var n int
	switch {
	case c >= 0xa0 && c <= 0xbf:
		n = int(c & 0x1f)
	case c == 0xd9 || c == 0xc4:
		n = int(r.be(1))
	case c == 0xda || c == 0xc5:
		n = int(r.be(2))
	case c == 0xdb || c == 0xc6:
		n = int(r.be(4))
	default:
		r.bad = true
		return nil, false
	}
	p := r.take(n)
	return p, !r.bad
}

// number reads any integer or float.
func (r *mpReader) number() (float64, bool) {
	c := r.byte1()
	switch {
	case c <= 0x7f:
		return float64(c), true
	case c >= 0xe0:
		return float64(int8(c)), true
	case c == 0xcc, c == 0xcd, c == 0xce, c == 0xcf:
		v := r.be(1 << (c - 0xcc))
		return float64(v), !r.bad
	case c == 0xd0, c == 0xd1, c == 0xd2, c == 0xd3:
		n := 1 << (c - 0xd0)
		v := r.be(n)
		shift := 64 - 8*n
		return float64(int64(v<<shift) >> shift), !r.bad
	case c == 0xca:
		return float64(math.Float32frombits(uint32(r.be(4)))), !r.bad
	case c == 0xcb:
		return math.Float64frombits(r.be(8)), !r.bad
	}
	r.bad = true
	return 0, false
}

// isNil reports whether the next value is nil, consuming it if so.
func (r *mpReader) isNil() bool {
	if r.bad || r.i >= len(r.b) || r.b[r.i] != 0xc0 {
		return false
	}
	r.i++
	return true
}

// skip skips one whole value, nested containers included, without recursion.
func (r *mpReader) skip() bool {
	for pending := 1; pending > 0 && !r.bad; pending-- {
		c := r.byte1()
		switch {
		case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		case c >= 0x80 && c <= 0x8f:
			pending += 2 * int(c&0x0f)
		case c >= 0x90 && c <= 0x9f:
			pending += int(c & 0x0f)
		case c >= 0xa0 && c <= 0xbf:
			r.take(int(c & 0x1f))
		case c == 0xc4, c == 0xd9:
			r.take(int(r.be(1)))
		case c == 0xc5, c == 0xda:
			r.take(int(r.be(2)))
		case c == 0xc6, c == 0xdb:
			r.take(int(r.be(4)))
		case c == 0xc7:
			r.take(int(r.be(1)) + 1)
		case c == 0xc8:
			r.take(int(r.be(2)) + 1)
		case c == 0xc9:
			r.take(int(r.be(4)) + 1)
		case c == 0xca, c == 0xce, c == 0xd2:
			r.take(4)
		case c == 0xcb, c == 0xcf, c == 0xd3:
			r.take(8)
		case c == 0xcc, c == 0xd0:
			r.take(1)
		case c == 0xcd, c == 0xd1:
			r.take(2)
		case c >= 0xd4 && c <= 0xd8:
			r.take(1 + 1<<(c-0xd4))
		case c == 0xdc:
			pending += int(r.be(2))
		case c == 0xdd:
			pending += int(r.be(4))
		case c == 0xde:
			pending += 2 * int(r.be(2))
		case c == 0xdf:
			pending += 2 * int(r.be(4))
		default:
			r.bad = true
		}
		if pending > len(r.b) {
			// More items announced than bytes left: malformed.
			r.bad = true
		}
	}
	return !r.bad
}

// mpEachMember calls fn for each key of the map at the reader's position with
// the reader positioned on the value; fn must consume the value (or call
// skip). It reports whether the map was well formed.
func (r *mpReader) eachMember(fn func(key []byte) bool) bool {
	n, ok := r.mapLen()
	if !ok {
		return false
	}
	for range n {
		k, ok := r.str()
		if !ok {
			return false
		}
		if !fn(k) {
			return !r.bad
		}
	}
	return !r.bad
}
