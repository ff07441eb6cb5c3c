// Package ywstest drives the real, stock y-websocket npm provider
// (WebsocketProvider from y-websocket, with yjs) from Go end-to-end tests.
//
// Each Client is one Node.js subprocess running node/client.mjs: one Y.Doc and
// one WebsocketProvider connected to url + "/" + room (for this server
// "ws://127.0.0.1:PORT/yjs" and the document name). The Go side sends JSON
// commands over the child's stdin (edit the document, set the awareness
// state, disconnect, reconnect, read the state) and reads one JSON reply per
// command plus unsolicited events (status, synced, connection-close with its
// code, awareness changes, document updates) from its stdout. The child's
// stderr is kept and shown when a test fails.
//
// Usage:
//
//	ywstest.SkipIfUnavailable(t) // skips when node or the npm packages are missing
//	a := ywstest.Start(t, "ws://"+addr+"/yjs", "doc1")
//	b := ywstest.Start(t, "ws://"+addr+"/yjs", "doc1")
//	a.WaitSynced(0)
//	b.WaitSynced(0)
//	a.InsertText("t", 0, "hi")
//	b.WaitState(func(s map[string]any) bool { return s["t"] == "hi" }, 0)
//
// The npm packages live in node/ (package.json and package-lock.json with exact
// versions); run `npm ci` there once. NodeAvailable reports what is missing.
//
// All waits are bounded and event driven: a Wait helper re-reads the state each
// time the child reports an event and fails the test when its timeout passes
// (0 means the client's default, DefaultTimeout unless WithTimeout). Every
// subprocess is owned by the test that started it and is stopped in
// t.Cleanup (a graceful quit, then a kill). Methods that fail the test call
// t.Fatalf and must run on the test's goroutine; Call returns errors instead
// and may be used from any goroutine.
//
// StartReferenceServer runs the reference y-websocket server
// (@y/websocket-server's setupWSConnection) so that a test can compare this
// server's behaviour with the reference.
package ywstest
