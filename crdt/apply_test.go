package crdt

import (
	"fmt"
	"testing"
)

// step is one remote op and the result and document it must give.
type step struct {
	op   string
	want ApplyResult
	doc  string // expected serialization after the op ("" = not checked)
}

func runSteps(t *testing.T, root string, server bool, steps []step) {
	t.Helper()
	d := mustDoc(t, root)
	for i, s := range steps {
		var got ApplyResult
		if server {
			got = sequence(t, d, s.op)
		} else {
			got = remote(t, d, s.op)
		}
		if got != s.want {
			t.Fatalf("step %d %s: got %v, want %v", i, s.op, got, s.want)
		}
		if s.doc != "" {
			if j := docJSON(d); j != s.doc {
				t.Fatalf("step %d: doc\n got %s\nwant %s", i, j, s.doc)
			}
		}
	}
}

func set(path, key, value string, clock int) string {
	return fmt.Sprintf(`{"type":"set","path":%s,"key":%q,"value":%s,"clock":%d}`, path, key, value, clock)
}

func del(path, key string, clock int) string {
	return fmt.Sprintf(`{"type":"delete","path":%s,"key":%q,"clock":%d}`, path, key, clock)
}

func ins(path, pos, value string, clock int) string {
	return fmt.Sprintf(`{"type":"list-insert","path":%s,"position":%q,"value":%s,"clock":%d}`, path, pos, value, clock)
}

func ldel(path, pos string, clock int) string {
	return fmt.Sprintf(`{"type":"list-delete","path":%s,"position":%q,"clock":%d}`, path, pos, clock)
}

func move(path, from, to string, clock int) string {
	return fmt.Sprintf(`{"type":"list-move","path":%s,"fromPosition":%q,"toPosition":%q,"clock":%d}`, path, from, to, clock)
}

func obj(data string) string { return `{"type":"LiveObject","data":{` + data + `}}` }

func TestApplyRemote_Unappliable(t *testing.T) {
	root := obj(`"p":5,"m":{"type":"LiveMap","entries":{"o":{"type":"LiveObject","data":{}}}},"l":{"type":"LiveList","items":[]}`)
	for _, op := range []string{
		set(`["missing"]`, "k", "1", 1),
		set(`["p"]`, "k", "1", 1),         // through a plain value
		set(`["m","o","x"]`, "k", "1", 1), // past the end
		set(`["l"]`, "k", "1", 1),         // set on a list
		del(`["l"]`, "k", 1),
		ins(`[]`, "V", "1", 1), // list op on an object
		ins(`["m"]`, "V", "1", 1),
		ldel(`["m","o"]`, "V", 1),
		move(`[]`, "V", "k", 1),
	} {
		d := mustDoc(t, root)
		before := docJSON(d)
		if r := remote(t, d, op); r != Unappliable {
			t.Errorf("%s: %v", op, r)
		}
		if docJSON(d) != before {
			t.Errorf("%s changed the doc", op)
		}
		if d.Clock() != 2 { // merged anyway: max(0,1)+1
			t.Errorf("%s: clock %d", op, d.Clock())
		}
	}
	// Path resolution through a map skips tombstones.
	d := mustDoc(t, root)
	remote(t, d, del(`["m"]`, "o", 1))
	if r := remote(t, d, set(`["m","o"]`, "k", "1", 5)); r != Unappliable {
		t.Errorf("op under tombstone: %v", r)
	}
}

func TestApplyRemote_MapRoot(t *testing.T) {
	runSteps(t, `{"type":"LiveMap","entries":{}}`, false, []step{
		{set("[]", "a", "1", 1), Applied, `{"type":"LiveMap","entries":{"a":1}}`},
		{del("[]", "a", 2), Applied, `{"type":"LiveMap","entries":{}}`},
	})
	d := mustDoc(t, `{"type":"LiveMap","entries":{}}`)
	if _, err := d.Mutate(func(*Object) error { return nil }); err != ErrRootNotObject {
		t.Errorf("Mutate on map root: %v", err)
	}
}

func TestApplyResult_String(t *testing.T) {
	if Applied.String() != "applied" || Rejected.String() != "rejected" || Unappliable.String() != "unappliable" || ApplyResult(9).String() != "ApplyResult(?)" {
		t.Error("ApplyResult.String")
	}
}

func TestApplyRemote_HandBuiltOps(t *testing.T) {
	d := NewDoc()
	bad := Op{Kind: OpSet, Key: "k", Value: []byte(`{"type":"LiveObject"}`), Clock: 1}
	if r := d.ApplyRemote(&bad); r != Unappliable {
		t.Errorf("invalid CRDT value: %v", r)
	}
	junk := Op{Kind: OpSet, Key: "k", Value: []byte(`{nope`), Clock: 1}
	if r := d.ApplyRemote(&junk); r != Unappliable {
		t.Errorf("invalid JSON value: %v", r)
	}
	good := Op{Kind: OpSet, Key: "k", Value: []byte(" [ 1 ] "), Clock: 10}
	if r := d.ApplyRemote(&good); r != Applied || docJSON(d) != obj(`"k":[1]`) {
		t.Errorf("hand-built op: %v %s", r, docJSON(d))
	}
	none := Op{Kind: 0, Clock: 1}
	if r := d.ApplyRemote(&none); r != Unappliable {
		t.Errorf("kind 0: %v", r)
	}
}

// A client clock near 2^53 does not drag the server's stamps past
// Number.MAX_SAFE_INTEGER; stamps still increase.
func TestSequence_ClientClockCapped(t *testing.T) {
	d, err := Deserialize([]byte(`{"type":"LiveObject","data":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	ops, bad, err := DecodeOps([]byte(`[{"type":"set","path":[],"key":"a","value":1,"clock":9007199254740991},{"type":"set","path":[],"key":"b","value":2,"clock":3}]`))
	if err != nil || bad != 0 {
		t.Fatal(bad, err)
	}
	if r := d.Sequence(&ops[0]); r == Unappliable {
		t.Fatal("unappliable")
	}
	d.Sequence(&ops[1])
	if ops[0].Clock != maxClientClock+1 || ops[1].Clock != maxClientClock+2 {
		t.Fatalf("stamps %d, %d; want %d, %d", ops[0].Clock, ops[1].Clock, maxClientClock+1, maxClientClock+2)
	}
	if ops[1].Clock > maxSafeInt {
		t.Fatal("stamp beyond MAX_SAFE_INTEGER")
	}
}
