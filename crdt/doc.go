// Package crdt is the Lively storage CRDT (PROTOCOL.md B.2): a Lamport
// clock, fractional list positions, LiveObject (Object), LiveMap (Map, with
// tombstones) and LiveList (List), and the document (Doc) that applies ops
// by path, serializes to and from the exact reference JSON, and records the
// ops its local mutations emit.
//
// # What it owns
//
// The package serves two roles with the same types:
//
//   - The server's room document. The room is the sequencer: Doc.Sequence
//     stamps each incoming op with max(doc clock, op clock)+1 and applies it,
//     so every set and delete wins and all replicas that apply the stamped
//     ops in broadcast order agree. An ApplyResult of Unappliable means the
//     sender's replica holds something the server's does not; the server
//     should resync that sender (a fresh storage:init) instead of
//     broadcasting the op. For lists that is not enough (the stock client
//     places local moves by index and re-inserts items moved before their
//     insert's echo): the randomized tests here converge every run only
//     when the server also resyncs the sender after each applied list-move.
//     Doc.Mutate serves MutateStorage.
//   - A faithful model of the stock Lively client (B.3), used as the
//     clients of randomized convergence tests: Deserialize for the first
//     storage:init, Doc.ApplySnapshot for later ones, Doc.ApplyRemote per
//     received op followed by Doc.MergeClock(message clock), Doc.Mutate for
//     local changes (each ticks the clock), WithReferenceKeys so that list
//     positions come from ReferenceKeyBetween and local moves are placed by
//     index, bugs included, and MutateWithInverse, History and
//     Doc.ApplyLocalOps for undo and redo (B.2.8).
//
// Wire helpers: DecodeOps validates a storage:ops "ops" array op by op
// (never panicking, counting bad ops) and AppendOpJSON re-emits an op with a
// new clock while keeping the client's bytes, key order and unknown fields.
// Doc.Equal compares replicas (ignoring key order, clocks and tombstones)
// and Doc.Lookup resolves a path.
//
// # Where it differs from the reference on purpose
//
// Inputs that crash the reference are errors or bad ops here. KeyBetween
// never returns a duplicate or out-of-order position (ReferenceKeyBetween
// keeps the reference bugs). Sequence reports list position collisions
// (including positions a recent delete or move emptied, which each list
// remembers, up to 1024) as Unappliable instead of silently diverging.
// Positions compare as bytes, which equals the JS comparison for ASCII
// positions (all that clients generate). Serialized keys follow JS property
// order: insertion order, except that array-index keys ("0", "42") come
// first in numeric order, as JSON.stringify writes them.
//
// # Concurrency and purity
//
// The package starts no goroutines, does no I/O, reads no clock and logs
// nothing; every result depends only on the inputs. A Doc and its nodes are
// not safe for concurrent use: one owner (the room actor) calls everything,
// and nothing here blocks or waits. Decoding and encoding are hand-written
// (no reflection) and allocation-lean, since a room applies thousands of
// ops per second.
package crdt
