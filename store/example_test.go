package store_test

import (
	"context"
	"fmt"

	"github.com/lively-actor/lively/store"
)

// A room's life: append changes as they are applied, fold them into a
// snapshot now and then, and load snapshot plus pending changes on start.
func Example() {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Memory: true})
	if err != nil {
		panic(err)
	}
	defer st.Close()

	last, _ := st.Append(ctx, "ns:room", []store.Change{
		{Kind: store.KindStorageInit, Data: []byte(`{"type":"LiveObject","data":{}}`)},
		{Kind: store.KindStorage, Data: []byte(`[{"type":"set","path":[],"key":"n","value":1,"clock":1}]`)},
	})
	_ = st.WriteSnapshot(ctx, "ns:room", store.Snapshot{
		Storage: []byte(`{"type":"LiveObject","data":{"n":1}}`),
		Seq:     last, // both changes are folded in
	})
	_, _ = st.Append(ctx, "ns:room", []store.Change{{Kind: store.KindYjs, Data: []byte{0, 0}}})

	room, _ := st.Load(ctx, "ns:room")
	fmt.Printf("snapshot at %d: %s\n", room.Snapshot.Seq, room.Snapshot.Storage)
	for _, c := range room.Changes {
		fmt.Printf("pending #%d %v\n", c.Seq, c.Kind)
	}
	// Output:
	// snapshot at 2: {"type":"LiveObject","data":{"n":1}}
	// pending #3 yjs
}
