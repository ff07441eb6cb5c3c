package yjs

import "fmt"

// clientSection is one "client" run of an update: structs of one client with consecutive clocks.
type clientSection struct {
	client uint64
	blocks []*block
}

// decodedUpdate is a fully decoded V1 update.
type decodedUpdate struct {
	sections []clientSection
	ds       deleteSet
}

// decodeUpdate decodes and validates a whole V1 update. Contents are normalized to what yjs would
// re-encode. Trailing bytes after the delete set are ignored, like yjs does.
func decodeUpdate(update []byte) (*decodedUpdate, error) {
	d := newDecoder(update)
	u := &decodedUpdate{}
	nClients, err := d.readVarUint()
	if err != nil {
		return nil, fmt.Errorf("%w: client count: %w", ErrInvalidUpdate, err)
	}
	if nClients > uint64(d.remaining())/3 {
		return nil, fmt.Errorf("%w: %d clients: %w", ErrInvalidUpdate, nClients, ErrUnexpectedEOF)
	}
	u.sections = make([]clientSection, 0, nClients)
	for i := uint64(0); i < nClients; i++ {
		nStructs, err := d.readVarUint()
		if err != nil {
			return nil, fmt.Errorf("%w: struct count: %w", ErrInvalidUpdate, err)
		}
		client, err := d.readSafeUint()
		if err != nil {
			return nil, fmt.Errorf("%w: client: %w", ErrInvalidUpdate, err)
		}
		clock, err := d.readSafeUint()
		if err != nil {
			return nil, fmt.Errorf("%w: clock: %w", ErrInvalidUpdate, err)
		}
		if nStructs > uint64(d.remaining())/2 {
			return nil, fmt.Errorf("%w: %d structs: %w", ErrInvalidUpdate, nStructs, ErrUnexpectedEOF)
		}
		sec := clientSection{client: client, blocks: make([]*block, 0, nStructs)}
		for j := uint64(0); j < nStructs; j++ {
			b, err := d.readBlock(client, clock)
			if err != nil {
				return nil, fmt.Errorf("%w: struct %d:%d: %w", ErrInvalidUpdate, client, clock, err)
			}
			if b.length == 0 {
				return nil, fmt.Errorf("%w: zero-length struct at %d:%d", ErrInvalidUpdate, client, clock)
			}
			if b.length > maxSafeInteger-clock {
				return nil, fmt.Errorf("%w: clock of %d:%d: %w", ErrInvalidUpdate, client, clock, ErrIntegerOutOfRange)
			}
			clock += b.length
			sec.blocks = append(sec.blocks, b)
		}
		u.sections = append(u.sections, sec)
	}
	if u.ds, err = d.readDeleteSet(); err != nil {
		return nil, fmt.Errorf("%w: delete set: %w", ErrInvalidUpdate, err)
	}
	return u, nil
}

// lazyReader iterates over the structs of a decoded update like yjs's LazyStructReader.
type lazyReader struct {
	u           *decodedUpdate
	sec, i      int
	curr        *block
	filterSkips bool
}

func newLazyReader(u *decodedUpdate, filterSkips bool) *lazyReader {
	r := &lazyReader{u: u, filterSkips: filterSkips, i: -1}
	r.next()
	return r
}

func (r *lazyReader) next() *block {
	for {
		r.i++
		for r.sec < len(r.u.sections) && r.i >= len(r.u.sections[r.sec].blocks) {
			r.sec++
			r.i = 0
		}
		if r.sec >= len(r.u.sections) {
			r.curr = nil
			return nil
		}
		r.curr = r.u.sections[r.sec].blocks[r.i]
		if !r.filterSkips || r.curr.kind != kindSkip {
			return r.curr
		}
	}
}

// lazyWriter writes structs like yjs's LazyStructWriter: consecutive structs of one client form a
// section; a client change starts a new section.
type lazyWriter struct {
	body       []byte
	sections   []writerSection
	currClient uint64
	written    int
	start      int
}

type writerSection struct {
	count      int
	start, end int
}

func (w *lazyWriter) flush() {
	if w.written > 0 {
		w.sections = append(w.sections, writerSection{count: w.written, start: w.start, end: len(w.body)})
		w.written = 0
	}
}

func (w *lazyWriter) write(b *block, offset uint64) {
	if w.written > 0 && w.currClient != b.id.Client {
		w.flush()
	}
	if w.written == 0 {
		w.currClient = b.id.Client
		w.start = len(w.body)
		w.body = appendVarUint(w.body, b.id.Client)
		w.body = appendVarUint(w.body, b.id.Clock+offset)
	}
	w.body = b.appendTo(w.body, offset)
	w.written++
}

// finish appends the struct part of the update (client count, then each section) to dst.
func (w *lazyWriter) finish(dst []byte) []byte {
	w.flush()
	dst = appendVarUint(dst, uint64(len(w.sections)))
	for _, s := range w.sections {
		dst = appendVarUint(dst, uint64(s.count))
		dst = append(dst, w.body[s.start:s.end]...)
	}
	return dst
}
