// Package transport owns the network edge of lively-actor: HTTP routing of
// WebSocket upgrades (with the reference's bare-status rejections, and
// close-code refusals on the y-websocket paths), the WebSocket connection
// (reading, a bounded outbox, writing), static files, and the close reasons.
//
// Concurrency contract:
//   - Reading: on Linux the hub's pollers (one per GOMAXPROCS, each with its
//     own level-triggered epoll registered with Go's netpoller) read every
//     connection non-blocking and keep partial frames per connection, so an
//     idle connection costs no goroutine; Options.GoroutineReaders (and other
//     systems) use one reader goroutine per connection instead. Either way a
//     connection's messages reach its FrameSink in order, on one goroutine
//     at a time. Control frames are answered by queueing onto the outbox,
//     never by writing from the reader.
//   - Conn.Enqueue never blocks: it appends a pre-built frame to a queue
//     bounded in bytes and frames. Over a bound the connection is closed with
//     ReasonSlowConsumer. EnqueueLatest replaces a not-yet-written frame of
//     the same kind (presence lists); EnqueueTagged keeps only the latest
//     frame per tag once a connection lags (cursor coalescing).
//   - Writing: a connection that becomes busy goes to a run queue served by
//     a few shared writers that drain everything queued with one
//     non-blocking writev; a connection that stays busy gets its own writer
//     goroutine that batches frames arriving during a write; a full socket
//     falls back to blocking writes with a deadline (a deadline hit is a slow
//     consumer) through a bounded set of write slots. Only these writers
//     touch the socket for writes.
//   - Close is idempotent and carries a typed CloseReason mapped to a
//     WebSocket close code.
//   - Every goroutine belongs to the Hub, which Shutdown closes and waits for.
//
// transport never imports the actor packages: rooms plug in through the
// Admitter, Admission and FrameSink interfaces.
package transport
