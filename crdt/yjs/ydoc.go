package yjs

import (
	"fmt"
	"sort"
)

// Doc is the Yjs document the server keeps per room. It integrates updates exactly like a yjs
// Y.Doc with garbage collection enabled (the content of deleted items is dropped, adjacent deleted
// structs are merged), keeps updates with missing dependencies pending until the gap is filled,
// and encodes its state like yjs's encodeStateAsUpdate.
//
// A Doc is not safe for concurrent use; the room actor owns it.
type Doc struct {
	store     store
	share     map[string]*ytype
	pending   *pendingStructs
	pendingDs []byte
}

// NewDoc returns an empty document.
func NewDoc() *Doc {
	return &Doc{share: make(map[string]*ytype)}
}

// root returns the root type with the given name, creating it (yjs doc.get(name)).
func (doc *Doc) root(name string) *ytype {
	t := doc.share[name]
	if t == nil {
		t = newYType()
		t.name = name
		doc.share[name] = t
	}
	return t
}

// Apply integrates a V1 update. Updates may arrive in any order and more than once: structs whose
// dependencies are missing stay pending and are integrated once the gap is filled, known structs
// are skipped. An update that does not decode is rejected with an error and leaves the document
// unchanged.
func (doc *Doc) Apply(update []byte) error {
	u, err := decodeUpdate(update)
	if err != nil {
		return err
	}
	if err := checkReferences(u); err != nil {
		return err
	}
	tr := &transaction{doc: doc, beforeState: doc.store.stateVector()}
	tr.apply(u)
	tr.cleanup()
	return nil
}

// checkReferences rejects items that reference their own client at or after their own clock:
// such an item can never be integrated (yjs throws half-way through the update).
func checkReferences(u *decodedUpdate) error {
	for _, sec := range u.sections {
		for _, b := range sec.blocks {
			if b.kind != kindItem {
				continue
			}
			bad := (b.hasOrigin && b.origin.Client == b.id.Client && b.origin.Clock >= b.id.Clock) ||
				(b.hasRightOrigin && b.rightOrigin.Client == b.id.Client && b.rightOrigin.Clock >= b.id.Clock) ||
				(b.parentKind == parentItem && b.parentID.Client == b.id.Client && b.parentID.Clock >= b.id.Clock)
			if bad {
				return fmt.Errorf("%w: item %d:%d references its own future", ErrInvalidUpdate, b.id.Client, b.id.Clock)
			}
		}
	}
	return nil
}

// Load replaces the document's content by the given update (typically a persisted state).
// On error the document is unchanged.
func (doc *Doc) Load(update []byte) error {
	fresh := NewDoc()
	if err := fresh.Apply(update); err != nil {
		return err
	}
	*doc = *fresh
	return nil
}

// StateVector returns the encoded state vector of the integrated structs (pending structs are
// not included, like yjs's encodeStateVector).
func (doc *Doc) StateVector() []byte {
	return doc.store.stateVector().Encode()
}

// HasPending reports whether structs or deletions wait for missing dependencies.
func (doc *Doc) HasPending() bool {
	return doc.pending != nil || doc.pendingDs != nil
}

// EncodeStateAsUpdate returns everything a peer with the given encoded state vector is missing:
// the integrated structs it does not have, the complete delete set, and the pending structs and
// deletions (like yjs's encodeStateAsUpdate). A nil or empty state vector gives the full state.
func (doc *Doc) EncodeStateAsUpdate(stateVector []byte) ([]byte, error) {
	if len(stateVector) == 0 {
		stateVector = []byte{0}
	}
	sv, err := DecodeStateVector(stateVector)
	if err != nil {
		return nil, err
	}
	out := doc.writeStructs(nil, sv)
	ds := doc.deleteSet()
	out = ds.appendTo(out)
	if doc.pending == nil && doc.pendingDs == nil {
		return out, nil
	}
	parts := []*decodedUpdate{mustDecode(out)}
	if doc.pendingDs != nil {
		parts = append(parts, mustDecode(doc.pendingDs))
	}
	if doc.pending != nil {
		parts = append(parts, mustDecode(diffDecoded(mustDecode(doc.pending.update), sv)))
	}
	return mergeDecoded(parts), nil
}

// writeStructs appends the structs missing from sv (yjs writeClientsStructs).
func (doc *Doc) writeStructs(dst []byte, sv StateVector) []byte {
	type start struct{ client, clock uint64 }
	var starts []start
	for client, clock := range sv {
		if doc.store.state(client) > clock {
			starts = append(starts, start{client, clock})
		}
	}
	for client := range doc.store.clients {
		if _, ok := sv[client]; !ok {
			starts = append(starts, start{client, 0})
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].client > starts[j].client })
	dst = appendVarUint(dst, uint64(len(starts)))
	for _, s := range starts {
		blocks := doc.store.clients[s.client].blocks
		clock := max(s.clock, blocks[0].id.Clock)
		first := findIndex(blocks, clock)
		dst = appendVarUint(dst, uint64(len(blocks)-first))
		dst = appendVarUint(dst, s.client)
		dst = appendVarUint(dst, clock)
		dst = blocks[first].appendTo(dst, clock-blocks[first].id.Clock)
		for _, b := range blocks[first+1:] {
			dst = b.appendTo(dst, 0)
		}
	}
	return dst
}

// deleteSet collects the deleted ranges of the store (yjs createDeleteSetFromStructStore).
func (doc *Doc) deleteSet() deleteSet {
	var ds deleteSet
	for _, client := range doc.store.order {
		blocks := doc.store.clients[client].blocks
		for i := 0; i < len(blocks); i++ {
			b := blocks[i]
			if !b.deleted() {
				continue
			}
			length := b.length
			for i+1 < len(blocks) && blocks[i+1].deleted() {
				i++
				length += blocks[i].length
			}
			ds.add(client, b.id.Clock, length)
		}
	}
	return ds
}
