package transport

import "net"

// pollState is a connection's part of the epoll read path (poll_linux.go).
// Apart from the fields guarded by its poller's mutex, it is touched by one
// goroutine at a time: the one serving the connection until it is
// registered, then the poller's.
type pollState struct {
	p    *poller // nil: read by a goroutine of its own
	sink FrameSink
	pend []byte // bytes of an incomplete frame (nil between frames)
	frag *fragment

	slot uint32 // index in the poller's table while registered
	gen  uint32 // generation of that slot, in the epoll event data

	state  uint8 // pollNew, pollRegistered, pollDone: guarded by p.mu
	closed bool  // socket closed before registration: guarded by p.mu
	done   bool  // reader finished
}

// Reader states of a polled connection.
const (
	pollNew uint8 = iota
	pollRegistered
	pollDone
)

// fragment is a data message arriving in several frames.
type fragment struct {
	op  OpCode
	msg []byte
}

// parseFrames handles the complete frames at the start of data (read from
// the socket, still masked) exactly as the goroutine reader does, and
// returns how many bytes it consumed. A frame's header is checked as soon
// as it is complete, before its payload arrives, so an oversized or invalid
// frame ends the connection at once. A reason other than ReasonNone ends
// the reader.
func (c *Conn) parseFrames(sink FrameSink, data []byte) (used int, reason CloseReason) {
	max := uint64(c.opts.MaxMessageBytes)
	st := &c.poll
	for {
		h, hn := parseHeader(data[used:])
		if hn == 0 {
			return used, ReasonNone
		}
		if h.rsv != 0 || !h.masked {
			return used, ReasonProtocol
		}
		if h.op.isControl() {
			if !h.fin || h.length > 125 {
				return used, ReasonProtocol
			}
		} else {
			switch h.op {
			case OpContinuation:
				if st.frag == nil {
					return used, ReasonProtocol
				}
			case OpText, OpBinary:
				if st.frag != nil {
					return used, ReasonProtocol
				}
			default:
				return used, ReasonProtocol
			}
			have := uint64(0)
			if st.frag != nil {
				have = uint64(len(st.frag.msg))
			}
			if h.length > max || have+h.length > max {
				c.metrics.dropped("too_big")
				return used, ReasonTooBig
			}
		}
		if uint64(len(data)-used-hn) < h.length {
			return used, ReasonNone // the payload is still on its way
		}
		p := data[used+hn : used+hn+int(h.length)]
		used += hn + int(h.length)
		unmask(p, h.mask)
		if h.op.isControl() {
			if r := c.onControl(h.op, p); r != ReasonNone {
				return used, r
			}
			continue
		}
		if h.fin && st.frag == nil {
			msg := make([]byte, len(p)) // the sink owns it; data is reused
			copy(msg, p)
			c.metrics.read(len(msg))
			sink.OnMessage(c, h.op, msg)
			continue
		}
		if st.frag == nil {
			st.frag = &fragment{op: h.op}
		}
		st.frag.msg = append(st.frag.msg, p...)
		if h.fin {
			f := st.frag
			st.frag = nil
			c.metrics.read(len(f.msg))
			sink.OnMessage(c, f.op, f.msg)
		}
	}
}

// frameSize is the size of the frame starting b (header and payload), or
// 0 while its header is incomplete.
func frameSize(b []byte) int {
	h, hn := parseHeader(b)
	if hn == 0 {
		return 0
	}
	return hn + int(h.length)
}

// writeBuffers writes batch to nc with net.Buffers (one writev where the
// system has it), for sockets the writers cannot reach directly. On an
// error rest is what was not written.
func writeBuffers(c *Conn, batch [][]byte) (written int64, rest [][]byte, err error) {
	bufs := net.Buffers(batch)
	n, err := bufs.WriteTo(c.nc) // consumes bufs as it writes
	return n, bufs, err
}

// advance drops the first n bytes of batch's frames.
func advance(batch [][]byte, n int) [][]byte {
	for n > 0 {
		if len(batch[0]) <= n {
			n -= len(batch[0])
			batch = batch[1:]
			continue
		}
		batch[0] = batch[0][n:]
		n = 0
	}
	for len(batch) > 0 && len(batch[0]) == 0 {
		batch = batch[1:]
	}
	return batch
}
