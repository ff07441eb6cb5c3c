package actors

import (
	"github.com/lively-actor/lively/codec"
	"github.com/lively-actor/lively/transport"
)

// outMsg is one message a room sends: JSON, framed once per encoding and
// shared by every recipient's outbox.
type outMsg struct {
	json      []byte
	jsonFrame []byte
	mpFrame   []byte
	mpFailed  bool
}

func newOut(json []byte) *outMsg { return &outMsg{json: json} }

// frame returns the pre-built WebSocket frame for an encoding (nil if the
// message cannot be sent as MessagePack, which only happens for invalid JSON
// relayed by a client and is dropped for msgpack members).
func (o *outMsg) frame(binary bool) []byte {
	if !binary {
		if o.jsonFrame == nil {
			o.jsonFrame = transport.Frame(transport.OpText, o.json)
		}
		return o.jsonFrame
	}
	if o.mpFrame == nil && !o.mpFailed {
		mp, err := codec.JSONToMsgpack(make([]byte, 0, len(o.json)), o.json)
		if err != nil {
			o.mpFailed = true
			return nil
		}
		o.mpFrame = transport.Frame(transport.OpBinary, mp)
	}
	return o.mpFrame
}
