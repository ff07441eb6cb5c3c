package lively_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/lively-actor/lively"
	"github.com/lively-actor/lively/crdt"
	"github.com/lively-actor/lively/internal/wstest"
)

// simClient models a stock Lively client's storage behaviour (PROTOCOL.md
// B.3) on top of the crdt package: first storage:init deserialized, later
// ones applied in place unless they are the echo of its own init, ops
// applied one by one with the message clock merged, local mutations stamped
// with the local clock, list positions from the reference key generator.
type simClient struct {
	t           *testing.T
	name        string
	ws          *wstest.Client
	doc         *crdt.Doc
	pendingInit bool
	seed        string // root this client seeds with on root:null ("" = none)
	done        map[string]bool
}

func (c *simClient) handle(m wstest.Msg) {
	c.t.Helper()
	switch m.Type {
	case "storage:init":
		if os.Getenv("LIVELY_CONVERGENCE_TRACE") != "" {
			c.t.Logf("%s <- %s (doc=%v pending=%v)", c.name, m.Data, c.doc != nil, c.pendingInit)
		}
		var msg struct {
			Root json.RawMessage `json:"root"`
		}
		if err := json.Unmarshal(m.Data, &msg); err != nil {
			c.t.Fatal(err)
		}
		switch {
		case string(msg.Root) == "null":
			if c.doc == nil && c.seed != "" {
				d, err := crdt.Deserialize([]byte(c.seed), crdt.WithReferenceKeys())
				if err != nil {
					c.t.Fatal(err)
				}
				c.doc, c.pendingInit = d, true
				c.ws.Send(`{"type":"storage:init","root":` + c.seed + `}`)
			}
		case c.doc == nil:
			d, err := crdt.Deserialize(msg.Root, crdt.WithReferenceKeys())
			if err != nil {
				c.t.Fatalf("%s: bad init %s: %v", c.name, msg.Root, err)
			}
			c.doc = d
		case c.pendingInit:
			c.pendingInit = false // the echo of our own init
		default:
			if err := c.doc.ApplySnapshot(msg.Root); err != nil {
				c.t.Fatalf("%s: snapshot: %v", c.name, err)
			}
		}
	case "storage:ops":
		if c.doc == nil {
			return
		}
		var msg struct {
			Ops   json.RawMessage `json:"ops"`
			Clock json.RawMessage `json:"clock"`
		}
		if err := json.Unmarshal(m.Data, &msg); err != nil {
			c.t.Fatal(err)
		}
		ops, bad, err := crdt.DecodeOps(msg.Ops)
		if err != nil || bad > 0 {
			c.t.Fatalf("%s: server sent bad ops %s: %v (%d bad)", c.name, msg.Ops, err, bad)
		}
		for i := range ops {
			c.doc.ApplyRemote(&ops[i])
		}
		if clock, err := strconv.ParseInt(string(msg.Clock), 10, 64); err == nil {
			c.doc.MergeClock(clock)
		}
	case "state:update":
		var msg struct {
			Key string `json:"key"`
		}
		_ = json.Unmarshal(m.Data, &msg) // non-marker updates are irrelevant here
		c.done[msg.Key] = true
	}
}

// drain handles every message already received, without waiting.
func (c *simClient) drain() {
	for {
		m, ok := c.ws.TryNext()
		if !ok {
			return
		}
		c.handle(m)
	}
}

// randomOp makes one random local mutation and sends its ops.
func (c *simClient) randomOp(r *rand.Rand) {
	if c.doc == nil {
		return
	}
	ops, err := c.doc.Mutate(func(root *crdt.Object) error {
		switch k := r.IntN(10); {
		case k < 3: // object set: equal-clock ties between clients are common
			return root.Set(fmt.Sprintf("k%d", r.IntN(3)), crdt.Raw(strconv.Itoa(r.IntN(100))))
		case k < 5: // map set / delete
			m, ok := root.Get("m").(*crdt.Map)
			if !ok {
				return root.Set("m", crdt.NewMap())
			}
			key := fmt.Sprintf("e%d", r.IntN(4))
			if r.IntN(3) == 0 && m.Has(key) {
				return m.Delete(key)
			}
			return m.Set(key, crdt.Raw(strconv.Itoa(r.IntN(100))))
		default: // list insert (often prepend) / delete / move
			l, ok := root.Get("l").(*crdt.List)
			if !ok {
				return root.Set("l", crdt.NewList())
			}
			n := l.Len()
			switch {
			case n == 0 || r.IntN(3) == 0:
				i := 0
				if n > 0 && r.IntN(2) == 0 {
					i = r.IntN(n + 1)
				}
				return l.Insert(i, crdt.Raw(strconv.Quote(c.name+strconv.Itoa(r.IntN(1000)))))
			case r.IntN(3) == 0:
				return l.Delete(r.IntN(n))
			default:
				return l.Move(r.IntN(n), r.IntN(n))
			}
		}
	})
	if err != nil || len(ops) == 0 {
		return
	}
	c.ws.Send(`{"type":"storage:ops","ops":` + string(crdt.AppendOpsJSON(nil, ops)) + `}`)
}

func convergenceSeeds(t *testing.T) int {
	if v := os.Getenv("LIVELY_CONVERGENCE_SEEDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if testing.Short() {
		return 5
	}
	return 40
}

// TestStorage_RandomizedConvergence runs 3–5 stock-client models over real
// WebSockets making random concurrent edits, including the divergence cases
// of PROTOCOL.md B.2.7 (equal-clock ties, a late joiner's first writes,
// concurrent moves of one item, concurrent storage:init, repeated prepends),
// and checks that after quiescence every client's document equals the
// server's snapshot.
func TestStorage_RandomizedConvergence(t *testing.T) {
	ts := newTestServer(t, lively.Config{})
	seeds := convergenceSeeds(t)
	first := 0
	if v := os.Getenv("LIVELY_CONVERGENCE_FIRST"); v != "" {
		first, _ = strconv.Atoi(v)
	}
	for seed := first; seed < first+seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 42))
		room := fmt.Sprintf("conv-%d", seed)
		n := 3 + r.IntN(3)
		clients := make([]*simClient, 0, n)
		join := func(i int) *simClient {
			name := fmt.Sprintf("c%d", i)
			c := &simClient{t: t, name: name, ws: wstest.Dial(t, ts.roomURL(room, name, name)), done: map[string]bool{},
				// every client can seed: concurrent storage:init (B.2.7 case 4)
				seed: fmt.Sprintf(`{"type":"LiveObject","data":{"by":%q,"l":{"type":"LiveList","items":[]},"m":{"type":"LiveMap","entries":{}}}}`, name)}
			clients = append(clients, c)
			return c
		}
		for i := 0; i < n-1; i++ {
			join(i)
		}
		steps := 30 + r.IntN(40)
		lateAt := r.IntN(steps)
		for step := 0; step < steps; step++ {
			if step == lateAt { // a late joiner writes as soon as it has the document (case 2)
				late := join(n - 1)
				for late.doc == nil {
					late.handle(late.ws.Next())
				}
				late.randomOp(r)
			}
			for _, c := range clients {
				c.drain()
				for k := r.IntN(3); k > 0; k-- {
					c.randomOp(r)
				}
			}
		}
		// Quiescence: a marker per client; once every client saw every
		// marker, every storage message before them has been handled. Two
		// rounds: a client may still send (a storage:init answering a
		// root:null it only now handled) while waiting for round 1, and the
		// server's answer to that reaches it before round 2 completes.
		for round := 1; round <= 2; round++ {
			for _, c := range clients {
				c.ws.Send(`{"type":"state:update","key":"done-` + strconv.Itoa(round) + c.name + `","value":1,"timestamp":1}`)
			}
			for _, c := range clients {
				for !allDone(c, clients, round) {
					c.handle(c.ws.Next())
				}
			}
		}
		snap, err := ts.srv.StorageSnapshot(room)
		if err != nil {
			t.Fatal(err)
		}
		server, err := crdt.Deserialize(snap)
		if err != nil {
			t.Fatalf("seed %d: server snapshot %s: %v", seed, snap, err)
		}
		for _, c := range clients {
			if c.doc == nil || !c.doc.Equal(server) {
				var got []byte
				if c.doc != nil {
					got = c.doc.AppendJSON(nil)
				}
				t.Fatalf("seed %d: %s diverged\nclient %s\nserver %s", seed, c.name, got, snap)
			}
		}
		for _, c := range clients {
			c.ws.Close()
		}
	}
}

func allDone(c *simClient, all []*simClient, round int) bool {
	for _, o := range all {
		if !c.done["done-"+strconv.Itoa(round)+o.name] {
			return false
		}
	}
	return true
}
