// Package roomstate rebuilds a room's documents from what the store holds:
// the snapshot and the changes appended after it, replayed the way a room
// does when it loads. The room actor and the rooms CLI (inspect, export)
// share it, so what the CLI shows is what a joining client would get.
package roomstate
