package crdt

import (
	"testing"
)

func TestValueConstructors(t *testing.T) {
	cases := []struct {
		got  Raw
		want string
	}{
		{String("a\"<>"), `"a\"<>"`},
		{Int(-42), `-42`},
		{Number(1e21), `1e+21`},
		{Number(0.5), `0.5`},
		{Bool(true), `true`},
		{Bool(false), `false`},
		{Null, `null`},
	}
	for _, c := range cases {
		if string(c.got) != c.want {
			t.Errorf("got %s want %s", c.got, c.want)
		}
	}
	r, err := Marshal(map[string]any{"b": "<&>", "a": []int{1, 2}})
	if err != nil || r != `{"a":[1,2],"b":"<&>"}` {
		t.Errorf("Marshal = %s, %v", r, err)
	}
}
