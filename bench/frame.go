package bench

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gobwas/ws"
)

// readChunk bounds how much payload is allocated ahead of the bytes actually
// read, so a peer-declared length never decides an allocation on its own.
const readChunk = 64 << 10

// appendFrame appends one complete (FIN) frame carrying payload to dst.
// Client frames are masked with mask, as RFC 6455 requires; server frames are
// sent in the clear. The payload is copied, never modified.
func appendFrame(dst []byte, op ws.OpCode, payload []byte, masked bool, mask [4]byte) []byte {
	b0 := 0x80 | byte(op)
	var b1 byte
	if masked {
		b1 = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, b0, b1|byte(n))
	case n <= 0xffff:
		dst = append(dst, b0, b1|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if !masked {
		return append(dst, payload...)
	}
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	ws.Cipher(dst[start:], mask, 0)
	return dst
}

// frameReader reads whole WebSocket messages (reassembling fragments) and
// single control frames from a buffered connection. It is owned by one
// goroutine; the slices it returns are valid until the next call to next.
type frameReader struct {
	r       *bufio.Reader
	max     int64
	hdr     [ws.MaxHeaderSize - 2]byte
	msg     []byte
	ctl     []byte
	msgOp   ws.OpCode
	inFrags bool
}

func newFrameReader(r *bufio.Reader, maxMessage int64) *frameReader {
	return &frameReader{r: r, max: maxMessage}
}

// next returns the next complete data message (OpText or OpBinary) or control
// frame (OpPing, OpPong, OpClose). Masked payloads are unmasked.
func (fr *frameReader) next() (ws.OpCode, []byte, error) {
	for {
		h, ctl, err := fr.header()
		if err != nil {
			return 0, nil, err
		}
		if ctl {
			return h.OpCode, fr.ctl, nil
		}
		if !fr.inFrags {
			fr.msg = fr.msg[:0]
			fr.msgOp = h.OpCode
		}
		if int64(len(fr.msg))+h.Length > fr.max {
			return 0, nil, fmt.Errorf("%w: over %d bytes", errFrameTooBig, fr.max)
		}
		fr.msg, err = readPayload(fr.r, fr.msg, h)
		if err != nil {
			return 0, nil, err
		}
		if !h.Fin {
			fr.inFrags = true
			continue
		}
		fr.inFrags = false
		return fr.msgOp, fr.msg, nil
	}
}

// header reads the next frame header and checks it against the frame
// sequence. A control frame is read whole into fr.ctl (ctl true); for a
// data frame the caller reads the payload.
func (fr *frameReader) header() (h ws.Header, ctl bool, err error) {
	if h, err = ws.ReadHeaderBuffer(fr.r, fr.hdr[:]); err != nil {
		return h, false, err
	}
	if h.Rsv != 0 {
		return h, false, fmt.Errorf("%w: reserved bits set", errFrameInvalid)
	}
	if h.OpCode.IsControl() {
		if h.Length > 125 || !h.Fin {
			return h, false, fmt.Errorf("%w: bad control frame", errFrameInvalid)
		}
		fr.ctl, err = readPayload(fr.r, fr.ctl[:0], h)
		return h, true, err
	}
	switch {
	case h.OpCode == ws.OpContinuation && !fr.inFrags:
		return h, false, fmt.Errorf("%w: continuation without start", errFrameInvalid)
	case h.OpCode != ws.OpContinuation && fr.inFrags:
		return h, false, fmt.Errorf("%w: new message inside fragmented one", errFrameInvalid)
	case h.OpCode != ws.OpContinuation && !h.OpCode.IsData():
		return h, false, fmt.Errorf("%w: opcode %d", errFrameInvalid, h.OpCode)
	}
	return h, false, nil
}

// readPayload appends h.Length payload bytes from r to dst, growing dst only
// as bytes arrive, and unmasks them in place when the frame is masked.
func readPayload(r io.Reader, dst []byte, h ws.Header) ([]byte, error) {
	start := len(dst)
	remaining := h.Length
	for remaining > 0 {
		step := min(remaining, readChunk)
		off := len(dst)
		dst = growLen(dst, int(step))
		if _, err := io.ReadFull(r, dst[off:]); err != nil {
			return dst[:off], err
		}
		remaining -= step
	}
	if h.Masked {
		ws.Cipher(dst[start:], h.Mask, 0)
	}
	return dst, nil
}

// growLen extends b by n bytes, reallocating only when capacity runs out.
func growLen(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, max(2*cap(b), len(b)+n))
	copy(nb, b)
	return nb
}

// pieceSink takes a data message in pieces as it arrives, so a scenario can
// scan a large message (a presence list of thousands) without holding it.
type pieceSink interface {
	// piece returns where the next piece is read into; never empty.
	piece() []byte
	// gotPiece says the first n bytes of the last piece were filled; first
	// marks the message's first piece (a message with an empty payload
	// comes as one piece of 0 bytes). The message ends when nextInto
	// returns.
	gotPiece(op ws.OpCode, n int, first bool)
}

// nextInto is next, except that a data message is handed to sink piece by
// piece instead of being collected; it then returns the message's opcode
// and a nil payload. Control frames come back whole, as from next.
func (fr *frameReader) nextInto(sink pieceSink) (ws.OpCode, []byte, error) {
	var total int64
	first := true
	for {
		h, ctl, err := fr.header()
		if err != nil {
			return 0, nil, err
		}
		if ctl {
			return h.OpCode, fr.ctl, nil
		}
		if !fr.inFrags {
			fr.msgOp = h.OpCode
		}
		if total+h.Length > fr.max {
			return 0, nil, fmt.Errorf("%w: over %d bytes", errFrameTooBig, fr.max)
		}
		total += h.Length
		remaining := h.Length
		var off int64
		for remaining > 0 || first {
			buf := sink.piece()
			step := min(remaining, int64(len(buf)))
			p := buf[:step]
			if _, err := io.ReadFull(fr.r, p); err != nil {
				return 0, nil, err
			}
			if h.Masked {
				ws.Cipher(p, h.Mask, int(off))
			}
			off += step
			remaining -= step
			sink.gotPiece(fr.msgOp, int(step), first)
			first = false
		}
		if !h.Fin {
			fr.inFrags = true
			continue
		}
		fr.inFrags = false
		return fr.msgOp, nil, nil
	}
}
