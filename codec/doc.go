// Package codec holds the typed wire messages of lively-actor and nothing else:
// decoding of inbound Lively frames (JSON text, or MessagePack binary frames with
// the same shapes) into typed values, and append-style encoders for every
// message the server sends, producing exactly the keys, key order and number
// spelling of the reference Lively server (PROTOCOL.md B.1.7) without HTML
// escaping. The y-websocket lib0 framing lives in yws.go.
//
// Concurrency: every function is pure and safe for concurrent use; nothing here
// blocks, performs I/O or keeps state between calls. The package imports
// nothing of this repository.
//
// Robustness: decoders never panic on any input (they are fuzzed); malformed
// input yields an error wrapping one of the sentinels in errors.go, which the
// caller counts in a metric and drops.
package codec
