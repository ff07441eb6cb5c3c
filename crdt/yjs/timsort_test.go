package yjs

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

type sortElem struct {
	i, client, clock, kind int
}

// yjsDecoderCmp is the comparator of mergeUpdatesV2 (kind 2 would be a Skip).
func yjsDecoderCmp(a, b sortElem) int {
	if a.client == b.client {
		if d := a.clock - b.clock; d != 0 {
			return d
		}
		if a.kind == b.kind {
			return 0
		}
		if a.kind == 2 {
			return 1
		}
		return -1
	}
	return b.client - a.client
}

func TestV8Sort_MatchesNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/v8sort.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Cases []struct {
			Input  [][3]int
			Output []int
		}
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 50 {
		t.Fatalf("only %d cases", len(v.Cases))
	}
	for n, c := range v.Cases {
		arr := make([]sortElem, len(c.Input))
		for i, e := range c.Input {
			arr[i] = sortElem{i: i, client: e[0], clock: e[1], kind: e[2]}
		}
		v8Sort(arr, yjsDecoderCmp)
		got := make([]int, len(arr))
		for i, e := range arr {
			got[i] = e.i
		}
		if !slices.Equal(got, c.Output) {
			t.Fatalf("case %d (n=%d): order differs from V8\ngot  %v\nwant %v", n, len(arr), got, c.Output)
		}
	}
	t.Logf("%d sort cases match V8", len(v.Cases))
}

func TestV8Sort_ConsistentComparatorSorts(t *testing.T) {
	for n := 0; n < 300; n += 7 {
		a := make([]int, n)
		for i := range a {
			a[i] = (i * 7919) % 101
		}
		v8Sort(a, func(x, y int) int { return x - y })
		if !slices.IsSorted(a) {
			t.Fatalf("n=%d not sorted: %v", n, a)
		}
	}
}
