// Package rest serves workspace tables, discovery, the OpenAPI document and docs page, and the
// admin API over HTTP (PROTOCOL.md Part D).
//
// Tables live inside each workspace's Yjs document, in Epicenter's model (crdt/yjs table.go):
// root arrays "table:<name>" and "kv" of {key, val, ts} entries, highest ts wins, ties go to the
// rightmost entry. The handler parses and checks requests, then hands each one to a TableBackend
// as a single *yjs.TableOp; the server's backend runs it inside the room actor that owns the
// document (one message), which applies, broadcasts and persists the update like any client
// update. MemoryBackend does the same over in-memory documents for tests.
//
// Routes (see Handler.ServeHTTP and GET /openapi/json):
//
//	GET  /                                    discovery {"name","version","docs","workspaces"}
//	GET  /openapi, /openapi/json              docs page (offline HTML) and OpenAPI 3.1 document
//	GET|POST /workspaces/{ws}/tables/{table}  list rows | upsert a row (body has a string "id")
//	GET|PUT|DELETE /workspaces/{ws}/tables/{table}/{id}
//	GET  /workspaces/{ws}/kv, GET|PUT|DELETE /workspaces/{ws}/kv/{key}
//	/admin/rooms[...]                         admin API, only with Config.Admin and AdminToken
//
// Success bodies are {"data": ...}; errors are {"error": {"message": ...}} (422 adds "errors":
// the JSON Schema problems). Statuses: 400 malformed body, 401/403 auth, 404 unknown route, row
// or room, 405 with Allow, 409 storage not initialized, 413 body over Config.MaxBodyBytes, 415 a
// non-JSON media type, 422 schema failure, 500, 503 (backend timeout or overload).
//
// Concurrency: a Handler is immutable after New and safe for concurrent use; every request runs
// on its own net/http goroutine and blocks only on the backend call, bounded by the request's
// context. The package starts no goroutines and keeps no package-level mutable state. It never
// imports actors or transport: the server adapts its actor system to TableBackend and
// AdminBackend.
package rest
