package yjs

import (
	"math/rand/v2"
	"strconv"
)

// editGen makes a deterministic stream of valid V1 updates without a YATA client: several clients
// type into the root text "t" (inserting between visible neighbours), delete ranges of it, push
// rows to the root array "table:posts" and overwrite keys of the root map "m". Every update holds
// one edit, like a keystroke of a y-websocket client.
type editGen struct {
	rng     *rand.Rand
	clients []uint64
	clocks  map[uint64]uint64
	text    []ID          // visible text units in document order
	rows    []ID          // visible table rows
	keys    map[string]ID // current entry of each map key
}

func newEditGen(seed uint64, nClients int) *editGen {
	g := &editGen{rng: rand.New(rand.NewPCG(seed, 1)), clocks: map[uint64]uint64{}, keys: map[string]ID{}}
	for i := 0; i < nClients; i++ {
		g.clients = append(g.clients, uint64(100+i*7919))
	}
	return g
}

// encodeOne encodes an update with one struct (or none) and a delete set.
func encodeOne(b *block, ds deleteSet) []byte {
	var out []byte
	if b == nil {
		out = append(out, 0)
	} else {
		out = append(out, 1, 1)
		out = appendVarUint(out, b.id.Client)
		out = appendVarUint(out, b.id.Clock)
		out = b.appendTo(out, 0)
	}
	ds.sortAndMerge()
	return ds.appendTo(out)
}

func (g *editGen) item(client uint64, c content) *block {
	b := newItem(ID{client, g.clocks[client]}, c)
	g.clocks[client] += b.length
	return b
}

func (g *editGen) next() []byte {
	client := g.clients[g.rng.IntN(len(g.clients))]
	switch r := g.rng.IntN(100); {
	case r < 50 || len(g.text) == 0: // type 1-5 characters at a random position
		n := 1 + g.rng.IntN(5)
		s := ""
		for i := 0; i < n; i++ {
			s += string(rune('a' + g.rng.IntN(26)))
		}
		p := g.rng.IntN(len(g.text) + 1)
		b := g.item(client, newContentString(s))
		g.link(b, g.text, p, "t")
		ids := make([]ID, n)
		for i := range ids {
			ids[i] = ID{client, b.id.Clock + uint64(i)}
		}
		g.text = append(g.text[:p], append(ids, g.text[p:]...)...)
		return encodeOne(b, deleteSet{})
	case r < 75: // delete 1-8 characters
		p := g.rng.IntN(len(g.text))
		n := min(len(g.text)-p, 1+g.rng.IntN(8))
		var ds deleteSet
		for _, id := range g.text[p : p+n] {
			ds.add(id.Client, id.Clock, 1)
		}
		g.text = append(g.text[:p], g.text[p+n:]...)
		return encodeOne(nil, ds)
	case r < 87 || len(g.rows) == 0: // push a table row
		row := AppendAny(nil, Any{Kind: AnyObject, Keys: []string{"key", "val", "ts"}, Values: []Any{
			str("p" + strconv.Itoa(g.rng.IntN(50))),
			{Kind: AnyObject, Keys: []string{"title", "views"}, Values: []Any{str("title " + strconv.Itoa(g.rng.IntN(1000))), num(float64(g.rng.IntN(999)))}},
			num(1700000000000 + float64(g.rng.IntN(1e6))),
		}})
		b := g.item(client, &contentAny{vals: [][]byte{row}})
		g.link(b, g.rows, len(g.rows), "table:posts")
		g.rows = append(g.rows, b.id)
		return encodeOne(b, deleteSet{})
	case r < 94: // delete a row
		p := g.rng.IntN(len(g.rows))
		var ds deleteSet
		ds.add(g.rows[p].Client, g.rows[p].Clock, 1)
		g.rows = append(g.rows[:p], g.rows[p+1:]...)
		return encodeOne(nil, ds)
	default: // overwrite a map key
		k := "k" + strconv.Itoa(g.rng.IntN(20))
		b := g.item(client, &contentAny{vals: [][]byte{AppendAny(nil, num(float64(g.rng.IntN(1000))))}})
		if prev, ok := g.keys[k]; ok {
			b.hasOrigin, b.origin = true, prev
		} else {
			b.parentKind, b.parentRoot = parentRoot, "m"
			b.hasParentSub, b.parentSub = true, k
		}
		g.keys[k] = b.id
		return encodeOne(b, deleteSet{})
	}
}

// link sets origin/rightOrigin for an insert at position p of a list of visible ids.
func (g *editGen) link(b *block, list []ID, p int, root string) {
	if p > 0 {
		b.hasOrigin, b.origin = true, list[p-1]
	}
	if p < len(list) {
		b.hasRightOrigin, b.rightOrigin = true, list[p]
	}
	if !b.hasOrigin && !b.hasRightOrigin {
		b.parentKind, b.parentRoot = parentRoot, root
	}
}

func genEdits(seed uint64, n int) [][]byte {
	g := newEditGen(seed, 4)
	out := make([][]byte, n)
	for i := range out {
		out[i] = g.next()
	}
	return out
}
