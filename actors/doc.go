// Package actors holds lively-actor's actors: the registry (room supervisor),
// one room actor per room, one session actor per connection, a hook runner
// per room and the user's custom message handler actors.
//
// Ownership: a room actor alone owns its room's state (members, presence,
// live state, storage document); nothing else reads or writes it and there is
// no mutex around it. Everything else talks to a room by message: typed
// pointer structs declared in messages.go, with replies through
// Context.Respond for SDK queries.
//
// Never block in Receive: rooms never do I/O; sockets are written by the
// transport's writer goroutines (a room only enqueues pre-built frames, which
// never blocks); user hooks run on a per-room hook actor so a slow hook only
// delays later hooks of the same room. A panic inside a room handler is
// recovered, counted and logged; the room closes its members with a
// retryable 1011 so they resync, and keeps its document. Other rooms and the
// process are unaffected.
package actors
