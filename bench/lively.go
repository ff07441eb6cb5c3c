package bench

import (
	"fmt"
	"strconv"

	"github.com/gobwas/ws"
)

// encoding is the Lively wire encoding of a connection (PROTOCOL.md A.3).
type encoding uint8

const (
	encodingJSON encoding = iota
	encodingMsgpack
)

func parseEncoding(s string) (encoding, error) {
	switch s {
	case "", "json":
		return encodingJSON, nil
	case "msgpack":
		return encodingMsgpack, nil
	}
	return 0, fmt.Errorf("%w: --encoding %q (want json or msgpack)", ErrUsage, s)
}

func (e encoding) String() string {
	if e == encodingMsgpack {
		return "msgpack"
	}
	return "json"
}

// opcode is the frame type messages of this encoding travel in.
func (e encoding) opcode() ws.OpCode {
	if e == encodingMsgpack {
		return ws.OpBinary
	}
	return ws.OpText
}

// livelyKind classifies the server messages the scenarios look at.
type livelyKind uint8

const (
	kindOther livelyKind = iota
	kindPresence
	kindCursor
	kindStorageInit
	kindStorageOps
)

// livelyMsg is what the harness reads from one server message. users holds
// slices into the decoded frame, valid only until the next read.
type livelyMsg struct {
	kind      livelyKind
	stamp     int64 // cursor x, or the value of the first storage op
	hasStamp  bool
	sender    int64 // cursor y: the sending client's index
	hasSender bool
	key       []byte // key of the first storage op ("c<seat>")
	rootNull  bool   // storage:init with root null
	clock     int64  // storage:ops clock
	users     [][]byte
}

func (m *livelyMsg) reset() {
	*m = livelyMsg{users: m.users[:0]}
}

func kindOf(typ []byte) livelyKind {
	switch string(typ) {
	case "presence":
		return kindPresence
	case "cursor:update":
		return kindCursor
	case "storage:init":
		return kindStorageInit
	case "storage:ops":
		return kindStorageOps
	}
	return kindOther
}

// decodeLively fills m from one message in encoding e. It reports false for
// a message it cannot read at all.
func decodeLively(e encoding, b []byte, m *livelyMsg) bool {
	m.reset()
	if e == encodingMsgpack {
		return decodeLivelyMsgpack(b, m)
	}
	return decodeLivelyJSON(b, m)
}

func decodeLivelyJSON(b []byte, m *livelyMsg) bool {
	return jsonEachMember(b, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			if s, ok := jsonStringValue(v); ok {
				m.kind = kindOf(s)
			}
		case "x": // a raw cursor relayed by the baseline relay
			m.setStamp(jsonNumberValue(v))
		case "y":
			m.setSender(jsonNumberValue(v))
		case "cursor":
			jsonEachMember(v, func(ck, cv []byte) bool {
				switch string(ck) {
				case "x":
					m.setStamp(jsonNumberValue(cv))
				case "y":
					m.setSender(jsonNumberValue(cv))
				}
				return true
			})
		case "root":
			m.rootNull = string(v) == "null"
		case "clock":
			if f, ok := jsonNumberValue(v); ok {
				m.clock = int64(f)
			}
		case "ops":
			jsonEachElement(v, func(op []byte) bool {
				jsonEachMember(op, func(ok, ov []byte) bool {
					switch string(ok) {
					case "value":
						m.setStamp(jsonNumberValue(ov))
					case "key":
						m.key, _ = jsonStringValue(ov)
					}
					return true
				})
				return false
			})
		case "users":
			jsonEachElement(v, func(u []byte) bool {
				if id, ok := jsonField(u, "userId"); ok {
					if s, ok := jsonStringValue(id); ok {
						m.users = append(m.users, s)
					}
				}
				return true
			})
		}
		return true
	})
}

func decodeLivelyMsgpack(b []byte, m *livelyMsg) bool {
	r := &mpReader{b: b}
	return r.eachMember(func(k []byte) bool {
		switch string(k) {
		case "type":
			s, _ := r.str()
			m.kind = kindOf(s)
		case "x":
			m.setStamp(r.number())
		case "y":
			m.setSender(r.number())
		case "cursor":
			r.eachMember(func(ck []byte) bool {
				switch string(ck) {
				case "x":
					m.setStamp(r.number())
				case "y":
					m.setSender(r.number())
				default:
					r.skip()
				}
				return !r.bad
			})
		case "root":
			if r.isNil() {
				m.rootNull = true
			} else {
				r.skip()
			}
		case "clock":
			f, _ := r.number()
			m.clock = int64(f)
		case "ops":
			mpFirstOpValue(r, m)
		case "users":
			n, _ := r.arrayLen()
			for range n {
				r.eachMember(func(uk []byte) bool {
					if string(uk) == "userId" {
						if s, ok := r.str(); ok {
							m.users = append(m.users, s)
						}
					} else {
						r.skip()
					}
					return !r.bad
				})
			}
		default:
			r.skip()
		}
		return !r.bad
	})
}

// mpFirstOpValue reads the "value" of the first op and skips the rest.
func mpFirstOpValue(r *mpReader, m *livelyMsg) {
	n, _ := r.arrayLen()
	for i := range n {
		if i > 0 {
			r.skip()
			continue
		}
		r.eachMember(func(k []byte) bool {
			switch string(k) {
			case "value":
				m.setStamp(r.number())
			case "key":
				m.key, _ = r.str()
			default:
				r.skip()
			}
			return !r.bad
		})
	}
}

func (m *livelyMsg) setStamp(f float64, ok bool) {
	if ok {
		m.stamp, m.hasStamp = int64(f), true
	}
}

func (m *livelyMsg) setSender(f float64, ok bool) {
	if ok {
		m.sender, m.hasSender = int64(f), true
	}
}

// livelyEncoder builds the client messages of one connection into a reused
// buffer; the returned slice is valid until the next call.
type livelyEncoder struct {
	enc encoding
	buf []byte
}

func (w *livelyEncoder) heartbeat() []byte {
	if w.enc == encodingMsgpack {
		b := mpAppendMap(w.buf[:0], 1)
		b = mpAppendStr(mpAppendStr(b, "type"), "heartbeat")
		w.buf = b
		return b
	}
	w.buf = append(w.buf[:0], `{"type":"heartbeat"}`...)
	return w.buf
}

// cursor is a cursor:update whose x carries the send stamp and y the sender.
func (w *livelyEncoder) cursor(x, y int64) []byte {
	if w.enc == encodingMsgpack {
		b := mpAppendMap(w.buf[:0], 3)
		b = mpAppendStr(mpAppendStr(b, "type"), "cursor:update")
		b = mpAppendInt(mpAppendStr(b, "x"), x)
		b = mpAppendInt(mpAppendStr(b, "y"), y)
		w.buf = b
		return b
	}
	b := append(w.buf[:0], `{"type":"cursor:update","x":`...)
	b = strconv.AppendInt(b, x, 10)
	b = append(b, `,"y":`...)
	b = strconv.AppendInt(b, y, 10)
	w.buf = append(b, '}')
	return w.buf
}

// storageInit seeds an empty LiveObject root.
func (w *livelyEncoder) storageInit() []byte {
	if w.enc == encodingMsgpack {
		b := mpAppendMap(w.buf[:0], 2)
		b = mpAppendStr(mpAppendStr(b, "type"), "storage:init")
		b = mpAppendMap(mpAppendStr(b, "root"), 2)
		b = mpAppendStr(mpAppendStr(b, "type"), "LiveObject")
		b = mpAppendMap(mpAppendStr(b, "data"), 0)
		w.buf = b
		return b
	}
	w.buf = append(w.buf[:0], `{"type":"storage:init","root":{"type":"LiveObject","data":{}}}`...)
	return w.buf
}

// storageSet is one storage:ops message setting root[key] = value.
func (w *livelyEncoder) storageSet(key string, value, clock int64) []byte {
	if w.enc == encodingMsgpack {
		b := mpAppendMap(w.buf[:0], 2)
		b = mpAppendStr(mpAppendStr(b, "type"), "storage:ops")
		b = mpAppendArray(mpAppendStr(b, "ops"), 1)
		b = mpAppendMap(b, 5)
		b = mpAppendStr(mpAppendStr(b, "type"), "set")
		b = mpAppendArray(mpAppendStr(b, "path"), 0)
		b = mpAppendStr(mpAppendStr(b, "key"), key)
		b = mpAppendInt(mpAppendStr(b, "value"), value)
		b = mpAppendInt(mpAppendStr(b, "clock"), clock)
		w.buf = b
		return b
	}
	b := append(w.buf[:0], `{"type":"storage:ops","ops":[{"type":"set","path":[],"key":`...)
	b = strconv.AppendQuote(b, key)
	b = append(b, `,"value":`...)
	b = strconv.AppendInt(b, value, 10)
	b = append(b, `,"clock":`...)
	b = strconv.AppendInt(b, clock, 10)
	w.buf = append(b, "}]}"...)
	return w.buf
}
