package crdt

import (
	"fmt"
	"strings"
	"testing"
)

func TestEntries_OrderIndexAndHoles(t *testing.T) {
	d := NewDoc()
	for i := range 20 {
		remote(t, d, set("[]", fmt.Sprint("f", i), fmt.Sprint(i), i+1))
	}
	root := d.Root().(*Object)
	if root.f.index == nil {
		t.Fatal("no index for 20 fields")
	}
	// Remove 15 fields: the holes get compacted away on the way.
	for i := range 15 {
		if r := remote(t, d, del("[]", fmt.Sprint("f", i), 100+i)); r != Applied {
			t.Fatalf("delete f%d: %v", i, r)
		}
	}
	if root.Len() != 5 || root.f.holes > indexThreshold {
		t.Fatalf("len %d holes %d entries %d", root.Len(), root.f.holes, len(root.f.e))
	}
	if got := strings.Join(root.Keys(), ","); got != "f15,f16,f17,f18,f19" {
		t.Fatalf("keys %s", got)
	}
	// A removed key comes back at the end; an existing one keeps its place.
	remote(t, d, set("[]", "f3", "true", 1))
	remote(t, d, set("[]", "f16", "false", 500))
	if got := strings.Join(root.Keys(), ","); got != "f15,f16,f17,f18,f19,f3" {
		t.Fatalf("keys %s", got)
	}
	for _, k := range []string{"f15", "f16", "f3"} {
		if !root.Has(k) {
			t.Errorf("lost %s", k)
		}
	}
	if root.Has("f0") || root.Get("f0") != nil {
		t.Error("removed key still visible")
	}
}

func TestEntries_ArrayIndexKeysSerializeFirst(t *testing.T) {
	d := NewDoc()
	for i, k := range []string{"b", "10", "2", "a", "007", "4294967294", "4294967295"} {
		remote(t, d, set("[]", k, fmt.Sprint(i), i+1))
	}
	want := obj(`"2":2,"10":1,"4294967294":5,"b":0,"a":3,"007":4,"4294967295":6`)
	if got := docJSON(d); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := strings.Join(d.Root().(*Object).Keys(), ","); got != "b,10,2,a,007,4294967294,4294967295" {
		t.Errorf("Keys follow insertion order: %s", got)
	}
}

func TestIsArrayIndex(t *testing.T) {
	for k, want := range map[string]bool{
		"0": true, "7": true, "10": true, "4294967294": true,
		"": false, "01": false, "-1": false, "1.0": false, "4294967295": false, "99999999999": false, "a": false,
	} {
		if isArrayIndex(k) != want {
			t.Errorf("isArrayIndex(%q) = %v", k, !want)
		}
	}
}
