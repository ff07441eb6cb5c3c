package yjs

import (
	"bytes"
	"testing"
)

// fuzzSeeds returns recorded updates (yjs vectors and hand-made edge cases) as fuzz seeds.
func fuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, v := range loadSeedVectors(f) {
		for i, u := range v.Updates {
			if i%7 == 0 {
				out = append(out, unhex(f, u.V1))
			}
		}
		out = append(out, unhex(f, v.Merged))
	}
	for _, c := range loadEdgeVectors(f).Cases {
		for _, u := range c.Updates {
			if len(u) < 4096 {
				out = append(out, unhex(f, u))
			}
		}
	}
	return out
}

// checkUpdateFunctions runs every update-level function on u; none may panic, and whatever they
// produce must decode again.
func checkUpdateFunctions(t *testing.T, u []byte) {
	if err := ValidateUpdate(u); err != nil {
		for _, f := range []func() ([]byte, error){
			func() ([]byte, error) { return MergeUpdates([][]byte{u, {0, 0}}) },
			func() ([]byte, error) { return DiffUpdate(u, []byte{0}) },
			func() ([]byte, error) { return EncodeStateVectorFromUpdate(u) },
		} {
			if _, err := f(); err == nil {
				t.Fatal("invalid update accepted")
			}
		}
		doc := NewDoc()
		if doc.Apply(u) == nil {
			t.Fatal("Doc accepted an invalid update")
		}
		return
	}
	m, err := MergeUpdates([][]byte{u, {0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateUpdate(m); err != nil {
		t.Fatalf("merge output does not decode: %v", err)
	}
	sv, err := EncodeStateVectorFromUpdate(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeStateVector(sv); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{{0}, sv} {
		d, err := DiffUpdate(u, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateUpdate(d); err != nil {
			t.Fatalf("diff output does not decode: %v", err)
		}
	}
	doc := NewDoc()
	if err := doc.Apply(u); err != nil {
		return // semantically invalid (references its own future)
	}
	state, err := doc.EncodeStateAsUpdate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateUpdate(state); err != nil {
		t.Fatalf("doc state does not decode: %v", err)
	}
	// applying the own state again changes nothing
	if err := doc.Apply(state); err != nil {
		t.Fatal(err)
	}
	again, err := doc.EncodeStateAsUpdate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, state) {
		t.Fatalf("re-applying the state changed it\n%x\n%x", state, again)
	}
}

func FuzzDecodeUpdate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u []byte) {
		checkUpdateFunctions(t, u)
	})
}

// FuzzMergeUpdates splits the input into two updates at cut and merges and applies them in both
// orders.
func FuzzMergeUpdates(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i := 0; i+1 < len(seeds); i += 3 {
		f.Add(append(bytes.Clone(seeds[i]), seeds[i+1]...), uint16(len(seeds[i])))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		c := int(cut) % (len(in) + 1)
		a, b := in[:c], in[c:]
		m1, err1 := MergeUpdates([][]byte{a, b})
		m2, err2 := MergeUpdates([][]byte{b, a})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("merge order changes validity: %v / %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		for _, m := range [][]byte{m1, m2} {
			if err := ValidateUpdate(m); err != nil {
				t.Fatalf("merge output does not decode: %v", err)
			}
		}
		d1, d2 := NewDoc(), NewDoc()
		e1 := d1.Apply(a)
		if e := d1.Apply(b); e1 == nil {
			e1 = e
		}
		e2 := d2.Apply(b)
		if e := d2.Apply(a); e2 == nil {
			e2 = e
		}
		if e1 == nil && e2 == nil && !bytes.Equal(d1.StateVector(), d2.StateVector()) {
			t.Fatalf("state vectors depend on the order: %x vs %x", d1.StateVector(), d2.StateVector())
		}
	})
}

func FuzzDecodeAny(f *testing.F) {
	for _, h := range []string{"7e", "7d8000", "7602095f5f70726f746f5f5f7d0101617d02", "75027580007683000161800078", "7c7fc00001"} {
		f.Add(unhex(f, h))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := newDecoder(b)
		canon, err := d.readCanonicalAny(nil)
		v, n, err2 := DecodeAny(b)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("canonical and tree decoders disagree: %v / %v", err, err2)
		}
		if err != nil {
			return
		}
		if n != d.pos {
			t.Fatalf("consumed %d vs %d bytes", n, d.pos)
		}
		if enc := AppendAny(nil, v); !bytes.Equal(enc, canon) {
			t.Fatalf("canonical %x, re-encoded tree %x", canon, enc)
		}
		// canonical encodings are fixed points
		d2 := newDecoder(canon)
		again, err := d2.readCanonicalAny(nil)
		if err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("canonical form is not stable: %x -> %x (%v)", canon, again, err)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1.0,2e0,-0,1e21]}`, `"\ud800\u0041"`, `[1e400,5e-324]`, `{"2":1,"1":2,"x":3,"x":4}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseJSON(b)
		if err != nil {
			return
		}
		out, err := v.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		// JSON.stringify output parses back to the same text
		v2, err := ParseJSON(out)
		if err != nil {
			t.Fatalf("stringify output %q does not parse: %v", out, err)
		}
		out2, _ := v2.AppendJSON(nil)
		if !bytes.Equal(out, out2) {
			t.Fatalf("not a fixed point: %s -> %s", out, out2)
		}
	})
}
