// Package roomscli implements the "rooms" command: list, inspect, clear,
// export and import the rooms kept by a store.Store, like the reference
// `lively rooms` CLI (PROTOCOL.md B.5) but on our store, with the reference's
// bugs fixed: room ids are never sanitized, inspect prints LiveMap and
// LiveList contents, and a room holding both storage and Yjs is listed once.
//
// Main is the entry point for the binary; Run is the same with an injected
// clock (for relative times) used by tests. Neither keeps state between calls
// nor starts goroutines. Every store call is bounded by the given context;
// the only other blocking call is reading the "Clear all rooms?" answer from
// stdin.
package roomscli
