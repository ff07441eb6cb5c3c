package yjs

import (
	"fmt"
	"sort"
)

// StateVector maps client ids to the next expected clock of that client.
type StateVector map[uint64]uint64

// DecodeStateVector decodes an encoded state vector (varUint n, then n × (client, clock)).
// A client listed twice keeps its last clock, like a JS Map.
func DecodeStateVector(b []byte) (StateVector, error) {
	d := newDecoder(b)
	n, err := d.readVarUint()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidStateVector, err)
	}
	if n > uint64(d.remaining())/2 {
		return nil, fmt.Errorf("%w: %d entries: %w", ErrInvalidStateVector, n, ErrUnexpectedEOF)
	}
	sv := make(StateVector, n)
	for i := uint64(0); i < n; i++ {
		client, err := d.readSafeUint()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidStateVector, err)
		}
		clock, err := d.readSafeUint()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidStateVector, err)
		}
		sv[client] = clock
	}
	return sv, nil
}

// Encode encodes the state vector like yjs (clients in descending order).
func (sv StateVector) Encode() []byte {
	return sv.AppendTo(nil)
}

// AppendTo appends the encoded state vector to dst.
func (sv StateVector) AppendTo(dst []byte) []byte {
	clients := make([]uint64, 0, len(sv))
	for c := range sv {
		clients = append(clients, c)
	}
	sort.Slice(clients, func(i, j int) bool { return clients[i] > clients[j] })
	dst = appendVarUint(dst, uint64(len(clients)))
	for _, c := range clients {
		dst = appendVarUint(dst, c)
		dst = appendVarUint(dst, sv[c])
	}
	return dst
}

// EncodeStateVectorFromUpdate computes the state vector of an update like yjs: per client, the end
// of the contiguous run of structs that starts at clock 0 (a client whose structs start later, or
// whose run is interrupted by a Skip, counts only up to the gap). Clients appear in update order.
func EncodeStateVectorFromUpdate(update []byte) ([]byte, error) {
	u, err := decodeUpdate(update)
	if err != nil {
		return nil, err
	}
	r := newLazyReader(u, false)
	curr := r.curr
	if curr == nil {
		return []byte{0}, nil
	}
	var body []byte
	size := 0
	currClient := curr.id.Client
	stopCounting := curr.id.Clock != 0
	var currClock uint64
	if !stopCounting {
		currClock = curr.end()
	}
	for ; curr != nil; curr = r.next() {
		if currClient != curr.id.Client {
			if currClock != 0 {
				size++
				body = appendVarUint(body, currClient)
				body = appendVarUint(body, currClock)
			}
			currClient = curr.id.Client
			currClock = 0
			stopCounting = curr.id.Clock != 0
		}
		if curr.kind == kindSkip {
			stopCounting = true
		}
		if !stopCounting {
			currClock = curr.end()
		}
	}
	if currClock != 0 {
		size++
		body = appendVarUint(body, currClient)
		body = appendVarUint(body, currClock)
	}
	out := appendVarUint(make([]byte, 0, len(body)+2), uint64(size))
	return append(out, body...), nil
}

// DiffUpdate returns the part of update that a peer with the given state vector is missing,
// byte for byte like yjs's diffUpdate. The delete set is always included in full.
func DiffUpdate(update, stateVector []byte) ([]byte, error) {
	sv, err := DecodeStateVector(stateVector)
	if err != nil {
		return nil, err
	}
	u, err := decodeUpdate(update)
	if err != nil {
		return nil, err
	}
	return diffDecoded(u, sv), nil
}

func diffDecoded(u *decodedUpdate, state StateVector) []byte {
	var w lazyWriter
	r := newLazyReader(u, false)
	for r.curr != nil {
		curr := r.curr
		currClient := curr.id.Client
		svClock := state[currClient]
		if curr.kind == kindSkip {
			r.next()
			continue
		}
		if curr.end() > svClock {
			var off uint64
			if svClock > curr.id.Clock {
				off = svClock - curr.id.Clock
			}
			w.write(curr, off)
			r.next()
			for r.curr != nil && r.curr.id.Client == currClient {
				w.write(r.curr, 0)
				r.next()
			}
		} else {
			for r.curr != nil && r.curr.id.Client == currClient && r.curr.end() <= svClock {
				r.next()
			}
		}
	}
	out := w.finish(nil)
	return u.ds.appendTo(out)
}

// ValidateUpdate reports whether update is a well-formed V1 update that yjs can decode.
func ValidateUpdate(update []byte) error {
	_, err := decodeUpdate(update)
	return err
}
