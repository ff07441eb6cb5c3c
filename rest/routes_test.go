package rest

import (
	"net/url"
	"reflect"
	"testing"
)

func TestRoute_Match(t *testing.T) {
	rt := newRoute("GET", "/workspaces/{ws}/tables/{table}/{id}", accessAuth, tagTables, nil, operation{})
	cases := []struct {
		path string
		want params
	}{
		{"/workspaces/w/tables/t/1", params{"ws": "w", "table": "t", "id": "1"}},
		{"/workspaces/w%2Fx/tables/t/a%20b", params{"ws": "w/x", "table": "t", "id": "a b"}},
		{"/workspaces/w/tables/t/1/", params{"ws": "w", "table": "t", "id": "1"}},
		{"/workspaces/w/tables/t", nil},
		{"/workspaces/w/tables/t/1/2", nil},
		{"/workspaces/w/kv/t/1", nil},
		{"/workspaces//tables/t/1", nil},
	}
	for _, c := range cases {
		u, err := url.Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		segs, ok := splitPath(u)
		var got params
		if ok {
			got, ok = rt.match(segs)
		}
		if !ok {
			got = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	root := newRoute("GET", "/", accessAuth, tagDiscovery, nil, operation{})
	segs, _ := splitPath(&url.URL{Path: "/"})
	if _, ok := root.match(segs); !ok {
		t.Error("/ does not match")
	}
	if segs, _ := splitPath(&url.URL{Path: ""}); len(segs) != 0 {
		t.Error("empty path")
	}
}

func TestPathParams(t *testing.T) {
	if got := pathParams("/a/{x}/b/{y_z}"); !reflect.DeepEqual(got, []string{"x", "y_z"}) {
		t.Fatal(got)
	}
	if got := componentName("Table_blog/posts ok"); got != "Table_blog_posts_ok" {
		t.Fatal(got)
	}
}
