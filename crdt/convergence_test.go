package crdt

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// A randomized model of one room: a server document that sequences ops,
// and stock-client models (WithReferenceKeys, ApplyRemote, MergeClock,
// ApplySnapshot) talking to it over FIFO queues of real JSON. The server
// policy is a parameter, so the test both reproduces the reference
// divergences (fidelity of the client model) and checks which resync rule
// converges.

type simPolicy struct {
	resyncUnappliable bool // snapshot to the sender of an Unappliable op
	resyncMover       bool // snapshot to the sender after every applied list-move
	// snapshot to the mover only if the server's neighbours of the new
	// position would not have produced it (ReferenceKeyBetween), i.e. the
	// mover's list differed from the server's around it
	resyncMoverIfNeighboursDiffer bool
}

type simMsg struct {
	init  []byte // storage:init root, or nil
	ops   []byte // storage:ops ops array
	clock int64
}

type simClient struct {
	doc  *Doc
	hist *History
	in   []simMsg // server → client
	out  [][]byte // client → server (ops arrays)
}

type simRoom struct {
	t       *testing.T
	r       *rand.Rand
	policy  simPolicy
	server  *Doc
	clients []*simClient
	lists   bool
	resyncs int
	trace   []string // filled when non-nil
}

const simRoot = `{"type":"LiveObject","data":{"m":{"type":"LiveMap","entries":{}},"l":{"type":"LiveList","items":[]}}}`

func newSimRoom(t *testing.T, seed uint64, n int, policy simPolicy, lists bool) *simRoom {
	s := &simRoom{t: t, r: rand.New(rand.NewPCG(seed, 1)), policy: policy, server: mustDoc(t, simRoot), lists: lists}
	for range n {
		s.clients = append(s.clients, &simClient{doc: mustDoc(t, simRoot, WithReferenceKeys()), hist: NewHistory(0)})
	}
	return s
}

// serve processes one storage:ops message from client c.
func (s *simRoom) serve(c *simClient) {
	msg := c.out[0]
	c.out = c.out[1:]
	ops, bad, err := DecodeOps(msg)
	if err != nil || bad != 0 {
		s.t.Fatalf("server decode: %v, %d bad", err, bad)
	}
	var out []Op
	resync := false
	for i := range ops {
		res := s.server.Sequence(&ops[i])
		if s.trace != nil {
			s.trace = append(s.trace, fmt.Sprintf("server from c%d: %s -> %v", s.index(c), AppendOpJSON(nil, &ops[i]), res))
		}
		switch res {
		case Applied:
			out = append(out, ops[i])
			if ops[i].Kind == OpListMove && s.policy.resyncMover {
				resync = true
			}
			if ops[i].Kind == OpListMove && s.policy.resyncMoverIfNeighboursDiffer {
				l := s.server.Lookup(ops[i].Path).(*List)
				j := l.Index(ops[i].ToPosition)
				if ReferenceKeyBetween(l.Position(j-1), l.Position(j+1)) != ops[i].ToPosition {
					resync = true
				}
			}
		case Rejected:
			out = append(out, ops[i])
		case Unappliable:
			resync = resync || s.policy.resyncUnappliable
		}
	}
	if len(out) > 0 {
		m := simMsg{ops: AppendOpsJSON(nil, out), clock: s.server.Clock()}
		for _, o := range s.clients {
			o.in = append(o.in, m)
		}
	}
	if resync {
		if s.trace != nil {
			s.trace = append(s.trace, fmt.Sprintf("server resyncs c%d", s.index(c)))
		}
		s.resyncs++
		c.in = append(c.in, simMsg{init: s.server.AppendJSON(nil)})
	}
}

// receive processes one server message at client c, as the stock client.
func (s *simRoom) receive(c *simClient) {
	m := c.in[0]
	c.in = c.in[1:]
	if s.trace != nil {
		s.trace = append(s.trace, fmt.Sprintf("c%d receives init=%s ops=%s", s.index(c), m.init, m.ops))
	}
	if m.init != nil {
		if err := c.doc.ApplySnapshot(m.init); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	ops, bad, err := DecodeOps(m.ops)
	if err != nil || bad != 0 {
		s.t.Fatalf("client decode: %v, %d bad", err, bad)
	}
	for i := range ops {
		c.doc.ApplyRemote(&ops[i])
	}
	c.doc.MergeClock(m.clock)
}

// edit makes one random local change at client c: usually a mutation,
// sometimes an undo or redo.
func (s *simRoom) edit(c *simClient) {
	r := s.r
	if s.lists && r.IntN(12) == 0 {
		var ops []Op
		if r.IntN(3) > 0 {
			ops = c.doc.ApplyLocalOps(c.hist.Undo())
		} else {
			ops = c.doc.ApplyLocalOps(c.hist.Redo())
		}
		if len(ops) > 0 {
			c.out = append(c.out, AppendOpsJSON(nil, ops))
		}
		return
	}
	ops, inv, err := c.doc.MutateWithInverse(func(root *Object) error {
		v := Int(int64(r.IntN(1000)))
		m := root.Get("m").(*Map)
		l := root.Get("l").(*List)
		choice := r.IntN(10)
		if !s.lists {
			choice = r.IntN(4)
		}
		switch choice {
		case 0:
			return root.Set(fmt.Sprint("k", r.IntN(3)), v)
		case 1, 2:
			return m.Set(fmt.Sprint("e", r.IntN(4)), v)
		case 3:
			return m.Delete(fmt.Sprint("e", r.IntN(4)))
		case 4:
			if r.IntN(2) == 0 {
				o := NewObject()
				if err := o.Set("v", v); err != nil {
					return err
				}
				return l.Push(o)
			}
			return l.Push(v)
		case 5:
			return l.Insert(r.IntN(l.Len()+1), v)
		case 6:
			if l.Len() > 0 {
				return l.Delete(r.IntN(l.Len()))
			}
		case 7, 8:
			if l.Len() > 1 {
				return l.Move(r.IntN(l.Len()), r.IntN(l.Len()))
			}
		case 9:
			if l.Len() > 0 {
				if o, ok := l.Get(r.IntN(l.Len())).(*Object); ok {
					return o.Set("v", v)
				}
			}
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	c.hist.Record(ops, inv)
	if len(ops) > 0 {
		c.out = append(c.out, AppendOpsJSON(nil, ops))
		if s.trace != nil {
			s.trace = append(s.trace, fmt.Sprintf("c%d edits %s -> %s", s.index(c), AppendOpsJSON(nil, ops), docJSON(c.doc)))
		}
	}
}

func (s *simRoom) index(c *simClient) int {
	for i, o := range s.clients {
		if o == c {
			return i
		}
	}
	return -1
}

// run performs steps random actions, drains every queue and reports
// whether every client's document equals the server's.
func (s *simRoom) run(steps int) bool {
	for range steps {
		c := s.clients[s.r.IntN(len(s.clients))]
		switch p := s.r.IntN(10); {
		case p < 4:
			s.edit(c)
		case p < 7:
			if len(c.out) > 0 {
				s.serve(c)
			}
		default:
			if len(c.in) > 0 {
				s.receive(c)
			}
		}
	}
	for busy := true; busy; {
		busy = false
		for _, c := range s.clients {
			for len(c.out) > 0 {
				s.serve(c)
				busy = true
			}
		}
		for _, c := range s.clients {
			for len(c.in) > 0 {
				s.receive(c)
				busy = true
			}
		}
	}
	for _, c := range s.clients {
		if !c.doc.Equal(s.server) {
			return false
		}
	}
	return true
}

// TestConvergence_ObjectsAndMaps: with only LiveObject and LiveMap edits,
// server sequencing alone converges; no op is ever Unappliable.
func TestConvergence_ObjectsAndMaps(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		s := newSimRoom(t, seed, 4, simPolicy{resyncUnappliable: true}, false)
		if !s.run(400) {
			t.Fatalf("seed %d diverged", seed)
		}
		if s.resyncs != 0 {
			t.Fatalf("seed %d needed %d resyncs", seed, s.resyncs)
		}
	}
}

// TestConvergence_ListsNeedMoverResync reproduces A.2.2: with list edits,
// resyncing only the senders of Unappliable ops leaves stock clients
// diverged in a good share of runs, while also resyncing the mover after
// each applied list-move converges every run.
func TestConvergence_ListsNeedMoverResync(t *testing.T) {
	const runs = 100
	diverged := 0
	for seed := uint64(1); seed <= runs; seed++ {
		if !newSimRoom(t, seed, 3, simPolicy{resyncUnappliable: true}, true).run(100) {
			diverged++
		}
	}
	t.Logf("unappliable-only policy: %d/%d runs diverged", diverged, runs)
	if diverged == 0 {
		t.Error("the client model no longer reproduces the reference list divergence")
	}
	for seed := uint64(1); seed <= runs; seed++ {
		s := newSimRoom(t, seed, 3, simPolicy{resyncUnappliable: true, resyncMover: true}, true)
		if !s.run(100) {
			t.Fatalf("seed %d diverged with mover resync", seed)
		}
	}
}

// TestConvergence_InsertThenMoveBeforeEcho is the A.2.2 case: a client
// pushes an item and moves it before the insert's echo returns; the echo
// re-inserts a copy at the old position and the move's echo then moves the
// copy, leaving a duplicate. Checking only the mover's neighbours misses
// it; resyncing the mover after its move fixes it.
func TestConvergence_InsertThenMoveBeforeEcho(t *testing.T) {
	cases := []struct {
		policy simPolicy
		want   bool
	}{
		{simPolicy{resyncUnappliable: true}, false},
		{simPolicy{resyncUnappliable: true, resyncMoverIfNeighboursDiffer: true}, false},
		{simPolicy{resyncUnappliable: true, resyncMover: true}, true},
	}
	for _, c := range cases {
		s := newSimRoom(t, 1, 2, c.policy, true)
		cl := s.clients[0]
		local := func(fn func(l *List) error) {
			ops, err := cl.doc.Mutate(func(root *Object) error { return fn(root.Get("l").(*List)) })
			if err != nil {
				t.Fatal(err)
			}
			cl.out = append(cl.out, AppendOpsJSON(nil, ops))
		}
		local(func(l *List) error { return l.Push(Int(1)) })
		s.run(0)
		local(func(l *List) error { return l.Push(Int(2)) })
		local(func(l *List) error { return l.Move(1, 0) }) // before the push's echo
		if got := s.run(0); got != c.want {
			t.Errorf("%+v: converged %v, want %v\nserver %s\nclient %s", c.policy, got, c.want, docJSON(s.server), docJSON(cl.doc))
		}
	}
}

// TestConvergence_MoverPolicies compares the resync rules on random list
// workloads of several sizes (rates are logged for the server's choice of
// rule); resyncing the mover after every applied move must always converge.
func TestConvergence_MoverPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, p := range []simPolicy{
		{resyncUnappliable: true},
		{resyncUnappliable: true, resyncMoverIfNeighboursDiffer: true},
		{resyncUnappliable: true, resyncMover: true},
	} {
		for _, n := range []int{2, 5} {
			for _, steps := range []int{50, 300} {
				diverged, resyncs := 0, 0
				for seed := uint64(1000); seed < 1100; seed++ {
					s := newSimRoom(t, seed, n, p, true)
					if !s.run(steps) {
						diverged++
					}
					resyncs += s.resyncs
				}
				t.Logf("%+v clients=%d steps=%d: %d/100 runs diverged, %d resyncs", p, n, steps, diverged, resyncs)
				if p.resyncMover && diverged > 0 {
					t.Errorf("mover resync diverged")
				}
			}
		}
	}
}

// TestConvergence_InsertAtVacatedPosition: client 0 pushes at "k" before
// it learns that client 1 already pushed an item at "k" (which it then
// drops as a duplicate); client 1 moves its item away before client 0's
// insert reaches the server. The insert would now apply cleanly, leaving
// client 0 without client 1's item, so Sequence reports it Unappliable.
func TestConvergence_InsertAtVacatedPosition(t *testing.T) {
	s := newSimRoom(t, 1, 2, simPolicy{resyncUnappliable: true}, true)
	c0, c1 := s.clients[0], s.clients[1]
	local := func(c *simClient, fn func(l *List) error) {
		ops, err := c.doc.Mutate(func(root *Object) error { return fn(root.Get("l").(*List)) })
		if err != nil {
			t.Fatal(err)
		}
		c.out = append(c.out, AppendOpsJSON(nil, ops))
	}
	local(c0, func(l *List) error { return l.Push(Int(1)) }) // V
	s.run(0)
	local(c1, func(l *List) error { return l.Push(Int(2)) }) // k
	s.serve(c1)
	local(c0, func(l *List) error { return l.Push(Int(3)) }) // k as well
	s.receive(c0)                                            // c1's k: dropped as a duplicate
	s.receive(c1)
	local(c1, func(l *List) error { return l.Move(1, 0) }) // k → F
	s.serve(c1)
	s.serve(c0) // c0's insert at the vacated "k"
	if s.resyncs != 1 {
		t.Errorf("resyncs %d, want 1", s.resyncs)
	}
	if !s.run(0) {
		t.Errorf("diverged:\nserver %s\nc0 %s", docJSON(s.server), docJSON(c0.doc))
	}
}

// TestConvergence_DeleteVersusConcurrentMove: client A deletes an item
// that client B has just moved. The server applies B's move first, so A's
// list-delete finds nothing; treating it as harmless would leave A without
// the item everyone else has at its new position.
func TestConvergence_DeleteVersusConcurrentMove(t *testing.T) {
	s := newSimRoom(t, 1, 2, simPolicy{resyncUnappliable: true}, true)
	a, b := s.clients[0], s.clients[1]
	local := func(c *simClient, fn func(l *List) error) {
		ops, err := c.doc.Mutate(func(root *Object) error { return fn(root.Get("l").(*List)) })
		if err != nil {
			t.Fatal(err)
		}
		c.out = append(c.out, AppendOpsJSON(nil, ops))
	}
	local(a, func(l *List) error { return l.Push(Int(1)) })
	local(a, func(l *List) error { return l.Push(Int(2)) })
	s.run(0)
	local(b, func(l *List) error { return l.Move(0, 1) })
	local(a, func(l *List) error { return l.Delete(0) })
	s.serve(b)
	s.serve(a)
	if s.resyncs != 1 {
		t.Errorf("resyncs %d, want 1 (A's delete)", s.resyncs)
	}
	if !s.run(0) {
		t.Errorf("diverged:\nserver %s\nA %s", docJSON(s.server), docJSON(a.doc))
	}
}
