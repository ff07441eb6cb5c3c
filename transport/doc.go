// Package transport owns the network edge of lively-actor: HTTP routing of
// WebSocket upgrades (with the reference's bare-status rejections), the
// WebSocket connection (one reader, one writer, a bounded outbox), static
// files, and the close reasons.
//
// Concurrency contract:
//   - Conn.Enqueue never blocks: it appends a pre-built frame to a queue
//     bounded in bytes and frames, and starts the connection's writer if it is
//     idle. Over a bound the connection is closed with ReasonSlowConsumer.
//   - Only the writer goroutine writes to the socket. It exists only while
//     there is something to write (idle connections cost no writer
//     goroutine), drains everything queued into one writev per batch, and
//     uses a write deadline per batch: a deadline hit is a slow consumer.
//   - The reader runs on the goroutine that calls Conn.ReadLoop (the HTTP
//     handler's goroutine after the hijack). Control frames are answered by
//     queueing onto the outbox, never by writing from the reader.
//   - Close is idempotent and carries a typed CloseReason mapped to a
//     WebSocket close code.
//
// transport never imports the actor packages: rooms plug in through the
// Admitter, Admission and FrameSink interfaces.
package transport
