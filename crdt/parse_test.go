package crdt

import (
	"errors"
	"strings"
	"testing"
)

func TestDeserialize_Errors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`{"type":"Foo"}`, ErrInvalidRoot},
		{`{}`, ErrInvalidRoot},
		{`null`, ErrInvalidRoot},
		{`5`, ErrInvalidRoot},
		{`"LiveObject"`, ErrInvalidRoot},
		{`[]`, ErrInvalidRoot},
		{`{"type":"LiveObject"}`, ErrInvalidCrdt},
		{`{"type":"LiveObject","data":null}`, ErrInvalidCrdt},
		{`{"type":"LiveObject","data":[1]}`, ErrInvalidCrdt},
		{`{"type":"LiveMap","data":{}}`, ErrInvalidCrdt},
		{`{"type":"LiveList","items":{}}`, ErrInvalidCrdt},
		{`{"type":"LiveList","items":[5]}`, ErrInvalidCrdt},
		{`{"type":"LiveList","items":[{"value":1}]}`, ErrInvalidCrdt},
		{`{"type":"LiveList","items":[{"position":1,"value":1}]}`, ErrInvalidCrdt},
		{`{"type":"LiveList","items":[{"position":"V"}]}`, ErrInvalidCrdt},
		{`{"type":"LiveObject","data":{"x":{"type":"LiveMap"}}}`, ErrInvalidCrdt},
		{`{"type":"LiveObject","data":{"x":{"type":"LiveList","items":[{"position":"V","value":{"type":"LiveObject"}}]}}}`, ErrInvalidCrdt},
		{`{"type":"LiveObject","data":{}`, ErrInvalidJSON},
		{`{"type":"LiveObject","data":{}} x`, ErrInvalidJSON},
		{``, ErrInvalidJSON},
		{strings.Repeat(`{"type":"LiveObject","data":{"a":`, MaxDepth+1) + "1" + strings.Repeat("}}", MaxDepth+1), ErrTooDeep},
	}
	for _, c := range cases {
		if _, err := Deserialize([]byte(c.in)); !errors.Is(err, c.want) {
			t.Errorf("Deserialize(%.60s) = %v, want %v", c.in, err, c.want)
		}
		d := mustDoc(t, emptyRoot)
		if err := d.ApplySnapshot([]byte(c.in)); !errors.Is(err, c.want) {
			t.Errorf("ApplySnapshot(%.60s) = %v, want %v", c.in, err, c.want)
		}
		if docJSON(d) != emptyRoot {
			t.Errorf("failed ApplySnapshot changed the doc")
		}
	}
}
