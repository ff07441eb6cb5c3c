package transport

import "encoding/binary"

// OpCode is a WebSocket frame opcode.
type OpCode byte

// Opcodes (RFC 6455 §5.2).
const (
	OpContinuation OpCode = 0x0
	OpText         OpCode = 0x1
	OpBinary       OpCode = 0x2
	OpClose        OpCode = 0x8
	OpPing         OpCode = 0x9
	OpPong         OpCode = 0xa
)

func (op OpCode) isControl() bool { return op&0x8 != 0 }

// AppendFrame appends one complete, unmasked server frame (FIN set). A room
// builds each broadcast frame once with it and hands the same bytes to every
// member's outbox.
func AppendFrame(dst []byte, op OpCode, payload []byte) []byte {
	n := len(payload)
	dst = append(dst, 0x80|byte(op))
	switch {
	case n < 126:
		dst = append(dst, byte(n))
	case n <= 0xffff:
		dst = append(dst, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, payload...)
}

// Frame returns a new frame holding payload, sized exactly.
func Frame(op OpCode, payload []byte) []byte {
	return AppendFrame(make([]byte, 0, len(payload)+10), op, payload)
}

// CloseFrame builds a close frame with a code and a reason (truncated to the
// 123 bytes a control frame allows).
func CloseFrame(code uint16, reason string) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	p := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(p, code)
	p = append(p, reason...)
	return Frame(OpClose, p)
}

// header is a parsed client frame header.
type header struct {
	fin    bool
	rsv    byte
	op     OpCode
	masked bool
	mask   [4]byte
	length uint64
}

// parseHeader parses a frame header from b. It returns the header length, or
// 0 if b does not hold a complete header yet.
func parseHeader(b []byte) (h header, n int) {
	if len(b) < 2 {
		return h, 0
	}
	h.fin = b[0]&0x80 != 0
	h.rsv = (b[0] >> 4) & 0x7
	h.op = OpCode(b[0] & 0xf)
	h.masked = b[1]&0x80 != 0
	l := b[1] & 0x7f
	n = 2
	switch l {
	case 126:
		if len(b) < 4 {
			return h, 0
		}
		h.length = uint64(binary.BigEndian.Uint16(b[2:]))
		n = 4
	case 127:
		if len(b) < 10 {
			return h, 0
		}
		h.length = binary.BigEndian.Uint64(b[2:])
		n = 10
	default:
		h.length = uint64(l)
	}
	if h.masked {
		if len(b) < n+4 {
			return h, 0
		}
		copy(h.mask[:], b[n:n+4])
		n += 4
	}
	return h, n
}

func unmask(p []byte, mask [4]byte) {
	for i := range p {
		p[i] ^= mask[i&3]
	}
}
