package crdt

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// benchRoot is a 10k-node document: a LiveMap of 4000 entries (1000 of
// them LiveObjects with two fields), a LiveList of 4000 items (1000 of them
// LiveObjects), and a LiveObject with 100 fields.
func benchRoot() []byte {
	var b strings.Builder
	b.WriteString(`{"type":"LiveObject","data":{"m":{"type":"LiveMap","entries":{`)
	for i := range 4000 {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%4 == 0 {
			fmt.Fprintf(&b, `"k%d":{"type":"LiveObject","data":{"name":"item %d","done":false}}`, i, i)
		} else {
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
	}
	b.WriteString(`}},"l":{"type":"LiveList","items":[`)
	pos := ""
	for i := range 4000 {
		pos = KeyBetween(pos, "")
		if i > 0 {
			b.WriteByte(',')
		}
		if i%4 == 0 {
			fmt.Fprintf(&b, `{"position":%q,"value":{"type":"LiveObject","data":{"text":"todo %d"}}}`, pos, i)
		} else {
			fmt.Fprintf(&b, `{"position":%q,"value":"item %d"}`, pos, i)
		}
	}
	b.WriteString(`]},"o":{"type":"LiveObject","data":{`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"f%d":%d`, i, i)
	}
	b.WriteString(`}}}}`)
	return []byte(b.String())
}

func benchDoc(b *testing.B) *Doc {
	d, err := Deserialize(benchRoot())
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func BenchmarkSequence_ObjectSet(b *testing.B) {
	d := benchDoc(b)
	ops := make([]Op, 100)
	for i := range ops {
		ops[i] = mustOp(b, fmt.Sprintf(`{"type":"set","path":["o"],"key":"f%d","value":%d,"clock":1}`, i, i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d.Sequence(&ops[i%len(ops)]) != Applied {
			b.Fatal("not applied")
		}
	}
}

func BenchmarkApplyRemote_ObjectSet(b *testing.B) {
	d := benchDoc(b)
	ops := make([]Op, 100)
	for i := range ops {
		ops[i] = mustOp(b, fmt.Sprintf(`{"type":"set","path":["o"],"key":"f%d","value":%d,"clock":1}`, i, i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		op := &ops[i%len(ops)]
		op.Clock = d.Clock() + 1
		if d.ApplyRemote(op) != Applied {
			b.Fatal("not applied")
		}
	}
}

func BenchmarkSequence_NestedSet(b *testing.B) {
	d := benchDoc(b)
	ops := make([]Op, 1000)
	for i := range ops {
		ops[i] = mustOp(b, fmt.Sprintf(`{"type":"set","path":["m","k%d"],"key":"done","value":true,"clock":1}`, i*4))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d.Sequence(&ops[i%len(ops)]) != Applied {
			b.Fatal("not applied")
		}
	}
}

func BenchmarkSequence_MapSetDelete(b *testing.B) {
	d := benchDoc(b)
	r := rand.New(rand.NewPCG(1, 2))
	ops := make([]Op, 1024)
	for i := range ops {
		k := 1 + 4*r.IntN(1000) // plain entries
		if i%2 == 0 {
			ops[i] = mustOp(b, fmt.Sprintf(`{"type":"set","path":["m"],"key":"k%d","value":"v%d","clock":1}`, k, i))
		} else {
			ops[i] = mustOp(b, fmt.Sprintf(`{"type":"delete","path":["m"],"key":"k%d","clock":1}`, k))
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Sequence(&ops[i%len(ops)])
	}
}

// BenchmarkSequence_ListInsertDelete inserts at random places in the
// 4000-item list, then deletes the same item, so the list size is stable.
// Positions are never reused within 64k iterations (a reused position is
// Unappliable for the server, see TestList_VacatedPositions).
func BenchmarkSequence_ListInsertDelete(b *testing.B) {
	d := benchDoc(b)
	l := d.Root().(*Object).Get("l").(*List)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1 << 16
	ins, dels := make([]Op, 0, n), make([]Op, 0, n)
	for i := 0; len(ins) < n; i++ {
		j := r.IntN(l.Len() - 1)
		hi := l.Position(j + 1)
		p := KeyBetween(l.Position(j), hi) + strconv.FormatInt(int64(i), 36) + "V"
		if p >= hi {
			continue
		}
		ins = append(ins, Op{Kind: OpListInsert, Path: []string{"l"}, Position: p, Value: []byte(`"x"`)})
		dels = append(dels, Op{Kind: OpListDelete, Path: []string{"l"}, Position: p})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d.Sequence(&ins[i%n]) != Applied || d.Sequence(&dels[i%n]) != Applied {
			b.Fatal("not applied")
		}
	}
}

// BenchmarkSequence_ListMove moves random items of the 4000-item list to a
// fresh position between two random neighbours.
func BenchmarkSequence_ListMove(b *testing.B) {
	d := benchDoc(b)
	l := d.Root().(*Object).Get("l").(*List)
	r := rand.New(rand.NewPCG(5, 6))
	op := Op{Kind: OpListMove, Path: []string{"l"}}
	b.ReportAllocs()
	for b.Loop() {
		from := r.IntN(l.Len())
		to := r.IntN(l.Len() - 1)
		op.FromPosition = l.Position(from)
		op.ToPosition = KeyBetween(l.Position(to), l.Position(to+1))
		op.Clock = 0
		d.Sequence(&op)
	}
}

func BenchmarkAppendJSON_10k(b *testing.B) {
	d := benchDoc(b)
	buf := d.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = d.AppendJSON(buf[:0])
	}
}

func BenchmarkDeserialize_10k(b *testing.B) {
	root := benchRoot()
	b.SetBytes(int64(len(root)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Deserialize(root); err != nil {
			b.Fatal(err)
		}
	}
}

var benchOpsMsg = []byte(`[{"type":"set","path":["m","k12"],"key":"name","value":"a new name","clock":41}]`)

func BenchmarkDecodeOps_One(b *testing.B) {
	b.SetBytes(int64(len(benchOpsMsg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeOps(benchOpsMsg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOps_Batch10(b *testing.B) {
	var parts []string
	for i := range 10 {
		parts = append(parts, `{"type":"list-insert","path":["l"],"position":"V`+strconv.Itoa(i)+
			`","value":{"type":"LiveObject","data":{"text":"hello","done":false}},"clock":`+strconv.Itoa(i)+`}`)
	}
	msg := []byte("[" + strings.Join(parts, ",") + "]")
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if ops, _, err := DecodeOps(msg); err != nil || len(ops) != 10 {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoomOp is the server's whole per-message storage path for a
// one-op message: decode, sequence, encode the stamped op.
func BenchmarkRoomOp(b *testing.B) {
	d := benchDoc(b)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		ops, _, err := DecodeOps(benchOpsMsg)
		if err != nil {
			b.Fatal(err)
		}
		for i := range ops {
			d.Sequence(&ops[i])
		}
		out = AppendOpsJSON(out[:0], ops)
	}
}

func BenchmarkAppendOpJSON_Raw(b *testing.B) {
	op := mustOp(b, string(benchOpsMsg[1:len(benchOpsMsg)-1]))
	op.Clock = 123456
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out = AppendOpJSON(out[:0], &op)
	}
}

func BenchmarkAppendOpJSON_Fresh(b *testing.B) {
	op := mustOp(b, string(benchOpsMsg[1:len(benchOpsMsg)-1]))
	op.Raw = nil
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out = AppendOpJSON(out[:0], &op)
	}
}

func BenchmarkMutate_SetAndPush(b *testing.B) {
	d := benchDoc(b)
	root := d.Root().(*Object)
	l := root.Get("l").(*List)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, err := d.Mutate(func(root *Object) error {
			if err := root.Get("o").(*Object).Set("f1", Int(int64(i))); err != nil {
				return err
			}
			return l.Insert(l.Len()/2, Int(int64(i)))
		})
		if err != nil {
			b.Fatal(err)
		}
		if l.Len() > 5000 {
			b.StopTimer()
			d = benchDoc(b)
			root = d.Root().(*Object)
			l = root.Get("l").(*List)
			b.StartTimer()
		}
	}
}
