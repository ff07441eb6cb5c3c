package yjs

import "fmt"

// ID identifies one unit of content: the client that created it and its clock (per-client counter).
type ID struct {
	Client uint64
	Clock  uint64
}

type blockKind uint8

const (
	kindItem blockKind = iota
	kindGC
	kindSkip
)

type parentKind uint8

const (
	parentNone parentKind = iota // the parent is copied from the left or right neighbour
	parentRoot                   // a root type, by name
	parentItem                   // the type created by the item with parentID
)

// item flags (yjs Item.info).
const (
	flagKeep      = 1 << 0
	flagCountable = 1 << 1
	flagDeleted   = 1 << 2
)

// block is one struct of an update or of a Doc: an Item, a GC (deleted, garbage collected range)
// or a Skip (a gap, only in updates).
type block struct {
	id     ID
	length uint64
	kind   blockKind
	flags  uint8

	// Item fields as encoded.
	hasOrigin      bool
	hasRightOrigin bool
	hasParentSub   bool
	parentKind     parentKind
	origin         ID
	rightOrigin    ID
	parentID       ID
	parentRoot     string
	parentSub      string
	content        content

	// Doc integration (nil in update-level processing).
	left, right *block
	parent      *ytype
}

func (b *block) end() uint64     { return b.id.Clock + b.length }
func (b *block) deleted() bool   { return b.kind != kindItem || b.flags&flagDeleted != 0 }
func (b *block) countable() bool { return b.flags&flagCountable != 0 }
func (b *block) lastID() ID      { return ID{b.id.Client, b.id.Clock + b.length - 1} }

func newItem(id ID, c content) *block {
	b := &block{id: id, length: c.length(), kind: kindItem, content: c}
	if c.countable() {
		b.flags = flagCountable
	}
	return b
}

// readBlock decodes one struct of a V1 update (LazyStructReader semantics).
func (d *decoder) readBlock(client, clock uint64) (*block, error) {
	info, err := d.readUint8()
	if err != nil {
		return nil, err
	}
	id := ID{client, clock}
	ref := info & 0x1f
	switch {
	case info == refSkip:
		n, err := d.readSafeUint()
		if err != nil {
			return nil, err
		}
		return &block{id: id, length: n, kind: kindSkip}, nil
	case ref == refGC:
		n, err := d.readSafeUint()
		if err != nil {
			return nil, err
		}
		return &block{id: id, length: n, kind: kindGC}, nil
	case ref == refSkip || ref > refDoc:
		return nil, fmt.Errorf("%w: unknown content ref %d", ErrInvalidUpdate, ref)
	}
	b := &block{id: id, kind: kindItem}
	if info&0x80 != 0 {
		if b.origin, err = d.readID(); err != nil {
			return nil, err
		}
		b.hasOrigin = true
	}
	if info&0x40 != 0 {
		if b.rightOrigin, err = d.readID(); err != nil {
			return nil, err
		}
		b.hasRightOrigin = true
	}
	if info&0xc0 == 0 {
		isKey, err := d.readVarUint()
		if err != nil {
			return nil, err
		}
		if isKey == 1 {
			b.parentKind = parentRoot
			if b.parentRoot, err = d.readVarString(); err != nil {
				return nil, err
			}
		} else {
			b.parentKind = parentItem
			if b.parentID, err = d.readID(); err != nil {
				return nil, err
			}
		}
		if info&0x20 != 0 {
			b.hasParentSub = true
			if b.parentSub, err = d.readVarString(); err != nil {
				return nil, err
			}
		}
	}
	if b.content, err = d.readContent(ref); err != nil {
		return nil, err
	}
	b.length = b.content.length()
	if b.content.countable() {
		b.flags = flagCountable
	}
	return b, nil
}

func (d *decoder) readID() (ID, error) {
	client, err := d.readSafeUint()
	if err != nil {
		return ID{}, err
	}
	clock, err := d.readSafeUint()
	if err != nil {
		return ID{}, err
	}
	return ID{client, clock}, nil
}

func appendID(dst []byte, id ID) []byte {
	dst = appendVarUint(dst, id.Client)
	return appendVarUint(dst, id.Clock)
}

// appendTo appends the V1 encoding of the struct, starting offset units into it (yjs write(encoder, offset)).
func (b *block) appendTo(dst []byte, offset uint64) []byte {
	switch b.kind {
	case kindGC:
		dst = append(dst, refGC)
		return appendVarUint(dst, b.length-offset)
	case kindSkip:
		dst = append(dst, refSkip)
		return appendVarUint(dst, b.length-offset)
	}
	hasOrigin, origin := b.hasOrigin, b.origin
	if offset > 0 {
		hasOrigin, origin = true, ID{b.id.Client, b.id.Clock + offset - 1}
	}
	info := b.content.ref()
	if hasOrigin {
		info |= 0x80
	}
	if b.hasRightOrigin {
		info |= 0x40
	}
	if b.hasParentSub {
		info |= 0x20
	}
	dst = append(dst, info)
	if hasOrigin {
		dst = appendID(dst, origin)
	}
	if b.hasRightOrigin {
		dst = appendID(dst, b.rightOrigin)
	}
	if !hasOrigin && !b.hasRightOrigin {
		switch {
		case b.parent != nil && b.parent.item == nil:
			dst = append(dst, 1)
			dst = appendVarString(dst, b.parent.name)
		case b.parent != nil:
			dst = append(dst, 0)
			dst = appendID(dst, b.parent.item.id)
		case b.parentKind == parentItem:
			dst = append(dst, 0)
			dst = appendID(dst, b.parentID)
		default:
			dst = append(dst, 1)
			dst = appendVarString(dst, b.parentRoot)
		}
		if b.hasParentSub {
			dst = appendVarString(dst, b.parentSub)
		}
	}
	return b.content.appendTo(dst, offset)
}

// sliceFrom returns the part of the struct from diff on (yjs sliceStruct); the receiver is unchanged.
func (b *block) sliceFrom(diff uint64) *block {
	id := ID{b.id.Client, b.id.Clock + diff}
	if b.kind != kindItem {
		return &block{id: id, length: b.length - diff, kind: b.kind}
	}
	c := b.content.sliceFrom(diff)
	return &block{
		id: id, length: c.length(), kind: kindItem, flags: b.flags,
		hasOrigin: true, origin: ID{b.id.Client, b.id.Clock + diff - 1},
		hasRightOrigin: b.hasRightOrigin, rightOrigin: b.rightOrigin,
		parentKind: b.parentKind, parentID: b.parentID, parentRoot: b.parentRoot, parent: b.parent,
		hasParentSub: b.hasParentSub, parentSub: b.parentSub,
		content: c,
	}
}
