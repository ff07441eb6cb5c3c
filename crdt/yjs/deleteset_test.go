package yjs

import (
	"reflect"
	"testing"
)

func TestDeleteSet_SortAndMerge(t *testing.T) {
	var ds deleteSet
	for _, r := range []deleteRange{{5, 2}, {0, 1}, {6, 3}, {1, 1}, {20, 0}, {12, 1}} {
		ds.add(7, r.clock, r.len)
	}
	ds.sortAndMerge()
	want := []deleteRange{{0, 2}, {5, 4}, {12, 1}, {20, 0}}
	if !reflect.DeepEqual(ds.clients[7], want) {
		t.Fatalf("got %v, want %v", ds.clients[7], want)
	}
	for clock, del := range map[uint64]bool{0: true, 1: true, 2: false, 8: true, 9: false, 12: true, 20: false} {
		if ds.isDeleted(ID{7, clock}) != del {
			t.Errorf("isDeleted(%d) != %v", clock, del)
		}
	}
}

func TestDeleteSet_EncodeClientsDescending(t *testing.T) {
	var ds deleteSet
	ds.add(1, 0, 1)
	ds.add(300, 2, 3)
	ds.add(5, 1, 1)
	got := ds.appendTo(nil)
	want := []byte{3, 0xac, 0x02, 1, 2, 3, 5, 1, 1, 1, 1, 1, 0, 1}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	d := newDecoder(got)
	back, err := d.readDeleteSet()
	if err != nil || len(back.order) != 3 || !reflect.DeepEqual(back.clients[300], []deleteRange{{2, 3}}) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
}

func TestMergeDeleteSets(t *testing.T) {
	var a, b deleteSet
	a.add(1, 5, 2)
	a.add(2, 0, 1)
	b.add(1, 0, 6)
	b.add(3, 4, 1)
	m := mergeDeleteSets([]deleteSet{a, b})
	if !reflect.DeepEqual(m.clients[1], []deleteRange{{0, 7}}) || len(m.order) != 3 {
		t.Fatalf("merged %+v", m)
	}
}
