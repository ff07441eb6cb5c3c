// Package wstest is a WebSocket test client for end-to-end tests over real
// loopback connections: it dials with gobwas/ws, answers pings, records the
// server's close code, and hands received messages to the test through a
// channel, with helpers that wait (bounded) instead of sleeping.
package wstest
