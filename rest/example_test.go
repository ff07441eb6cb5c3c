package rest_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/lively-actor/lively/rest"
)

// A handler over in-memory workspace documents: upsert a row, update it, list the table.
func ExampleNew() {
	h, err := rest.New(rest.Config{
		Name:   "blog",
		Tables: rest.NewMemoryBackend(rest.WithClock(func() int64 { return 1700000000000 })),
	})
	if err != nil {
		panic(err)
	}
	do := func(method, path, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	do("POST", "/workspaces/blog/tables/posts", `{"id":"p1","title":"Hello"}`)
	do("PUT", "/workspaces/blog/tables/posts/p1", `{"title":"Hello again"}`)
	do("GET", "/workspaces/blog/tables/posts", "")
	do("GET", "/workspaces/blog/tables/posts/p2", "")
	do("GET", "/", "")
	// Output:
	// 200 {"data":{"id":"p1","title":"Hello"}}
	// 200 {"data":{"id":"p1","title":"Hello again"}}
	// 200 {"data":[{"id":"p1","title":"Hello again"}]}
	// 404 {"error":{"message":"row \"p2\" not found in table \"posts\""}}
	// 200 {"name":"blog","version":"dev","docs":"/openapi","workspaces":["blog"]}
}

// Storage mutations for the admin API decode into typed ops that a server applies with
// MutateStorage(ctx, room, ops.Apply).
func ExampleDecodeStorageOps() {
	ops, err := rest.DecodeStorageOps([]byte(`{"ops":[{"op":"set","path":[],"key":"title","value":"Board"},{"op":"push","path":["todos"],"value":"milk"}]}`))
	if err != nil {
		panic(err)
	}
	for _, op := range ops {
		fmt.Println(op.Kind, op.Path, op.Key, string(op.Value))
	}
	// Output:
	// set [] title "Board"
	// push [todos]  "milk"
}
