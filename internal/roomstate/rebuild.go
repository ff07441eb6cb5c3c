package roomstate

import (
	"fmt"

	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/crdt/yjs"
	"github.com/lively-actor/lively/store"
)

// Problem is a stored piece that could not be used; the rebuild skips it.
type Problem struct {
	// Seq is the change's sequence number; 0 for the snapshot.
	Seq uint64
	// What names the piece: "storage snapshot", "storage init", "storage
	// ops", "Yjs snapshot" or "Yjs update".
	What string
	Err  error
}

// Result is a rebuilt room.
type Result struct {
	// Storage is the storage document; nil when there is none.
	Storage *crdt.Doc
	// YDoc is the Yjs document; nil when there is none.
	YDoc *yjs.Doc
	// StorageOps counts the storage-ops changes applied to Storage since
	// its base (the snapshot, or the last storage-init change).
	StorageOps int
	// YjsUpdates counts the Yjs updates applied after the snapshot.
	YjsUpdates int
	// Problems are the pieces skipped, in order.
	Problems []Problem
}

// Rebuild makes the storage and Yjs documents from r's snapshot and the
// changes after it. A storage-init change replaces the document; storage
// ops are sequenced onto it (ops before any document are dropped, as a room
// does); Yjs updates are applied in order. Invalid pieces are skipped and
// reported.
func Rebuild(r *store.Room) Result {
	var res Result
	if len(r.Snapshot.Storage) > 0 {
		if d, err := crdt.Deserialize(r.Snapshot.Storage); err != nil {
			res.Problems = append(res.Problems, Problem{What: "storage snapshot", Err: err})
		} else {
			res.Storage = d
		}
	}
	if len(r.Snapshot.Yjs) > 0 {
		d := yjs.NewDoc()
		if err := d.Load(r.Snapshot.Yjs); err != nil {
			res.Problems = append(res.Problems, Problem{What: "Yjs snapshot", Err: err})
		} else {
			res.YDoc = d
		}
	}
	for _, c := range r.Changes {
		switch c.Kind {
		case store.KindStorageInit:
			d, err := crdt.Deserialize(c.Data)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Seq: c.Seq, What: "storage init", Err: err})
				continue
			}
			res.Storage, res.StorageOps = d, 0
		case store.KindStorage:
			if res.Storage == nil {
				continue
			}
			ops, bad, err := crdt.DecodeOps(c.Data)
			if err != nil {
				res.Problems = append(res.Problems, Problem{Seq: c.Seq, What: "storage ops", Err: err})
				continue
			}
			if bad > 0 {
				res.Problems = append(res.Problems, Problem{Seq: c.Seq, What: "storage ops",
					Err: fmt.Errorf("%d of %d ops invalid, dropped", bad, bad+len(ops))})
				if len(ops) == 0 {
					continue
				}
			}
			for i := range ops {
				res.Storage.Sequence(&ops[i])
			}
			res.StorageOps++
		case store.KindYjs:
			if res.YDoc == nil {
				res.YDoc = yjs.NewDoc()
			}
			if err := res.YDoc.Apply(c.Data); err != nil {
				res.Problems = append(res.Problems, Problem{Seq: c.Seq, What: "Yjs update", Err: err})
				continue
			}
			res.YjsUpdates++
		}
	}
	return res
}
