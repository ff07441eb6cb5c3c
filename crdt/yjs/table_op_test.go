package yjs

import (
	"errors"
	"testing"
)

func TestTableOp_Apply(t *testing.T) {
	doc := NewDoc()
	errCheck := errors.New("schema says no")
	cases := []struct {
		name       string
		op         TableOp
		wantJSON   string
		wantUpdate bool
		wantErr    error
	}{
		{"list empty", TableOp{Kind: OpListRows, Table: "posts"}, `[]`, false, nil},
		{"get missing", TableOp{Kind: OpGetRow, Table: "posts", Key: "p1"}, ``, false, ErrNotFound},
		{"update missing", TableOp{Kind: OpUpdateRow, Table: "posts", Key: "p1", Value: tblRow(t, `{}`)}, ``, false, ErrNotFound},
		{"delete missing", TableOp{Kind: OpDeleteRow, Table: "posts", Key: "p1"}, ``, false, ErrNotFound},
		{"upsert non-object", TableOp{Kind: OpUpsertRow, Table: "posts", Key: "p1", Value: tblRow(t, `[]`)}, ``, false, ErrNotObject},
		{"upsert", TableOp{Kind: OpUpsertRow, Table: "posts", Key: "p1", Value: tblRow(t, `{"id":"p1","a":1}`)}, `{"id":"p1","a":1}`, true, nil},
		{"upsert rejected by check", TableOp{Kind: OpUpsertRow, Table: "posts", Key: "p1", Value: tblRow(t, `{"id":"p1","bad":true}`),
			Check: func(js []byte) error { return errCheck }}, ``, false, errCheck},
		{"update non-object", TableOp{Kind: OpUpdateRow, Table: "posts", Key: "p1", Value: tblRow(t, `1`)}, ``, false, ErrNotObject},
		{"update checked after merge", TableOp{Kind: OpUpdateRow, Table: "posts", Key: "p1", Value: tblRow(t, `{"b":2}`),
			Check: func(js []byte) error {
				if string(js) != `{"id":"p1","a":1,"b":2}` {
					return errors.New("check saw " + string(js))
				}
				return nil
			}}, `{"id":"p1","a":1,"b":2}`, true, nil},
		{"get", TableOp{Kind: OpGetRow, Table: "posts", Key: "p1"}, `{"id":"p1","a":1,"b":2}`, false, nil},
		{"list", TableOp{Kind: OpListRows, Table: "posts"}, `[{"id":"p1","a":1,"b":2}]`, false, nil},
		{"delete", TableOp{Kind: OpDeleteRow, Table: "posts", Key: "p1"}, ``, true, nil},
		{"kv empty", TableOp{Kind: OpListKV}, `{}`, false, nil},
		{"kv set", TableOp{Kind: OpSetKey, Key: "theme", Value: tblRow(t, `"dark"`)}, `"dark"`, true, nil},
		{"kv set index key", TableOp{Kind: OpSetKey, Key: "7", Value: tblRow(t, `null`)}, `null`, true, nil},
		{"kv undefined", TableOp{Kind: OpSetKey, Key: "u"}, ``, false, ErrInvalidAny},
		{"kv list", TableOp{Kind: OpListKV}, `{"7":null,"theme":"dark"}`, false, nil},
		{"kv get", TableOp{Kind: OpGetKey, Key: "theme"}, `"dark"`, false, nil},
		{"kv get missing", TableOp{Kind: OpGetKey, Key: "nope"}, ``, false, ErrNotFound},
		{"kv delete", TableOp{Kind: OpDeleteKey, Key: "theme"}, ``, true, nil},
		{"kv delete missing", TableOp{Kind: OpDeleteKey, Key: "theme"}, ``, false, ErrNotFound},
		{"unknown kind", TableOp{Kind: 99}, ``, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			js, u, err := c.op.Apply(doc, 77, 10)
			if c.name == "unknown kind" {
				if err == nil {
					t.Fatal("unknown kind accepted")
				}
				return
			}
			if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
				t.Fatalf("err %v, want %v", err, c.wantErr)
			}
			if string(js) != c.wantJSON || (u != nil) != c.wantUpdate {
				t.Fatalf("json %s update %v, want %s %v", js, u != nil, c.wantJSON, c.wantUpdate)
			}
		})
	}
}

func TestTableOpKind_StringAndWrites(t *testing.T) {
	if OpUpsertRow.String() != "upsert-row" || TableOpKind(0).String() != "TableOpKind(0)" || TableOpKind(200).String() != "TableOpKind(200)" {
		t.Fatal("String")
	}
	for k := OpListRows; k <= OpDeleteKey; k++ {
		want := k == OpUpsertRow || k == OpUpdateRow || k == OpDeleteRow || k == OpSetKey || k == OpDeleteKey
		if k.Writes() != want {
			t.Fatalf("%v.Writes() = %v", k, k.Writes())
		}
	}
}
