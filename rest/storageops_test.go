package rest

import (
	"errors"
	"strings"
	"testing"

	"github.com/lively-actor/lively/crdt"
)

func TestDecodeStorageOps(t *testing.T) {
	ops, err := DecodeStorageOps([]byte(`{"ops":[
		{"op":"set","path":["a"],"key":"k","value":{"x":1}},
		{"op":"delete","key":"k"},
		{"op":"push","path":["l"],"value":null},
		{"op":"insert","path":["l"],"index":3,"value":"v"},
		{"op":"remove","path":["l"],"index":1},
		{"op":"move","path":["l"],"from":2,"to":0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []StorageOp{
		{Kind: StorageSet, Path: []string{"a"}, Key: "k", Value: []byte(`{"x":1}`)},
		{Kind: StorageDelete, Path: []string{}, Key: "k"},
		{Kind: StoragePush, Path: []string{"l"}, Value: []byte(`null`)},
		{Kind: StorageInsert, Path: []string{"l"}, Index: 3, Value: []byte(`"v"`)},
		{Kind: StorageRemove, Path: []string{"l"}, Index: 1},
		{Kind: StorageMove, Path: []string{"l"}, Index: 2, To: 0},
	}
	for i := range want {
		g, w := ops[i], want[i]
		if g.Kind != w.Kind || strings.Join(g.Path, "/") != strings.Join(w.Path, "/") || g.Key != w.Key ||
			g.Index != w.Index || g.To != w.To || string(g.Value) != string(w.Value) || g.Path == nil {
			t.Errorf("op %d: %+v, want %+v", i, g, w)
		}
	}
	bad := map[string]string{
		`[]`:                               "must be",
		`{"ops":[]} x`:                     "trailing",
		`{}`:                               `needs an "ops" array`,
		`{"ops":[],"extra":1}`:             "must be",
		`{"ops":[{"op":"set","key":"k"}]}`: `"set" needs "value"`,
		`{"ops":[{"op":"set","value":1}]}`: `"set" needs "key"`,
		`{"ops":[{"op":"push","value":1,"key":"k"}]}`:    `"push" takes no "key"`,
		`{"ops":[{"op":"insert","value":1}]}`:            `"insert" needs "index"`,
		`{"ops":[{"op":"remove","index":-1}]}`:           "negative",
		`{"ops":[{"op":"move","from":1}]}`:               `"move" needs "to"`,
		`{"ops":[{"op":"jump"}]}`:                        `unknown op "jump"`,
		`{"ops":[{"op":"delete","key":"k","path":"x"}]}`: "must be",
	}
	for body, msg := range bad {
		_, err := DecodeStorageOps([]byte(body))
		if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want ErrBadRequest mentioning %q", body, err, msg)
		}
	}
	if StorageMove.String() != "move" || StorageOpKind(0).String() != "StorageOpKind(0)" {
		t.Error("String")
	}
}

func TestStorageOps_Apply_Errors(t *testing.T) {
	doc, err := crdt.Deserialize([]byte(`{"type":"LiveObject","data":{"l":{"type":"LiveList","items":[{"position":"V","value":"a"}]},"plain":{"x":1},"n":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	before := string(doc.AppendJSON(nil))
	cases := map[string]StorageOp{
		"no element":        {Kind: StorageSet, Path: []string{"missing"}, Key: "k", Value: []byte(`1`)},
		"inside a plain":    {Kind: StorageSet, Path: []string{"plain", "x"}, Key: "k", Value: []byte(`1`)},
		"no list element":   {Kind: StorageSet, Path: []string{"l", "5"}, Key: "k", Value: []byte(`1`)},
		"not a LiveObject":  {Kind: StorageDelete, Path: []string{"l"}, Key: "k"},
		"not a LiveList":    {Kind: StoragePush, Path: []string{}, Value: []byte(`1`)},
		"insert past end":   {Kind: StorageInsert, Path: []string{"l"}, Index: 9, Value: []byte(`1`)},
		"remove past end":   {Kind: StorageRemove, Path: []string{"l"}, Index: 9},
		"invalid value":     {Kind: StoragePush, Path: []string{"l"}, Value: []byte(`{`)},
		"list index string": {Kind: StorageSet, Path: []string{"l", "V"}, Key: "k", Value: []byte(`1`)},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := doc.Mutate(StorageOps{op}.Apply)
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("err %v", err)
			}
			if got := string(doc.AppendJSON(nil)); got != before {
				t.Fatalf("document changed: %s", got)
			}
		})
	}
}
