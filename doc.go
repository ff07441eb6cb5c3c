// Package lively is lively-actor's public Go API: a real-time collaboration
// server that stock Lively clients and y-websocket providers use unchanged.
//
//	srv, err := lively.New(lively.Config{
//		OnJoin: func(ctx context.Context, roomID string, u lively.User) { log.Println(u.DisplayName, "joined", roomID) },
//	})
//	if err != nil { ... }
//	http.Handle("/", srv.Handler()) // or: srv.Start(ctx, ":1999")
//	defer srv.Stop(ctx)
//
// Rooms are actors (package actors): every room's state is owned by one room
// actor, connections are served by the transport package, and the SDK calls
// on Server (BroadcastToRoom, SetLiveState, RoomUsers, Rooms) are messages to
// those actors. Hooks run off the room's goroutine and never block it.
package lively
