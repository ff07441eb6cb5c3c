package actors

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/lively-actor/lively/crdt/yjs"
)

// YjsTxnRequest runs Fn on the room's actor against the room's Yjs
// document (created when missing) with the room's own Yjs client id. A
// read returns a nil update. A write returns the update it applied (e.g.
// from yjs.UpsertRow): the room then persists it, calls OnYjsChange and
// sends it to every connection, exactly like a client's update. Reply:
// *YjsTxnReply.
type YjsTxnRequest struct {
	Fn func(doc *yjs.Doc, clientID uint64) (update []byte, result any, err error)
}

// YjsTxnReply answers YjsTxnRequest.
type YjsTxnReply struct {
	Result any
	Err    error
}

func (*YjsTxnRequest) isRoomMsg() {}

// pendingTxn is a request that arrived while the room was loading.
type pendingTxn struct {
	req    *YjsTxnRequest
	sender *actor.PID
}

// serverClientID is the room's own Yjs client id: random per room life, so
// two server processes (or two lives of a room) never share one.
func (r *room) serverClientID() uint64 {
	if r.yclient == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux; a zero id is re-drawn below
		r.yclient = binary.LittleEndian.Uint64(b[:]) & (1<<53 - 1)
		if r.yclient == 0 {
			r.yclient = 1
		}
	}
	return r.yclient
}

func (r *room) handleYjsTxn(ctx actor.Context, req *YjsTxnRequest) {
	if r.storageState == storageLoading {
		r.pendingTxns = append(r.pendingTxns, pendingTxn{req: req, sender: ctx.Sender()})
		return
	}
	reply := r.runYjsTxn(ctx, req)
	respond(ctx, reply)
	r.afterMembershipChange(ctx) // an activated room without members gets its cleanup timer
}

func (r *room) runYjsTxn(ctx actor.Context, req *YjsTxnRequest) (reply *YjsTxnReply) {
	reply = &YjsTxnReply{}
	var update []byte
	func() {
		defer func() {
			if v := recover(); v != nil {
				reply.Err = fmt.Errorf("actors: Yjs transaction panicked: %v", v)
			}
		}()
		update, reply.Result, reply.Err = req.Fn(r.ensureYDoc(), r.serverClientID())
	}()
	if len(update) > 0 {
		r.yjsChanged(ctx, update)
		r.fanoutYUpdate(update, 0, nil)
	}
	return reply
}

// runPendingTxns answers the requests that waited for the load.
func (r *room) runPendingTxns(ctx actor.Context) {
	pending := r.pendingTxns
	r.pendingTxns = nil
	for _, p := range pending {
		reply := r.runYjsTxn(ctx, p.req)
		if p.sender != nil {
			ctx.Send(p.sender, reply)
		}
	}
	if len(pending) > 0 {
		r.afterMembershipChange(ctx)
	}
}
