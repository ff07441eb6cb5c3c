// Package yjs is a Go implementation of the parts of Yjs (https://github.com/yjs/yjs, 13.6.x)
// that a sync server needs, byte for byte compatible with the npm package:
//
//   - lib0 encoding (varUint, varInt, varString, writeAny/readAny with JavaScript number and
//     property-order rules) and JavaScript's JSON.parse/JSON.stringify for the JSON-carrying
//     contents;
//   - the V1 update format: every struct (Item, GC, Skip) and content kind, delete sets;
//   - the update-level functions MergeUpdates, DiffUpdate and EncodeStateVectorFromUpdate, which
//     match yjs's mergeUpdates, diffUpdate and encodeStateVectorFromUpdate byte for byte (the
//     merge even reproduces V8's sort order for yjs's inconsistent comparator);
//   - Doc, a document that integrates updates exactly like a yjs Y.Doc with garbage collection
//     (YATA integration, pending structs and deletions, content of deleted items dropped,
//     adjacent structs merged), so that Doc.EncodeStateAsUpdate equals yjs's
//     encodeStateAsUpdate for the same updates.
//
// The tests check all of this against vectors recorded from yjs (testdata/vectors) and, when
// Node and the npm packages of testdata/node are installed, against yjs itself.
//
// Concurrency: the package is pure. It starts no goroutines, does no I/O and keeps no global
// mutable state; the update-level functions are safe for concurrent use. A Doc is not: one owner
// (the room actor) uses it at a time. Nothing here blocks.
//
// Robustness: decoders check every length against the remaining input before allocating, never
// panic on any input (they are fuzzed) and return errors wrapping the sentinels of errors.go. An
// update that does not decode leaves a Doc unchanged. Costs are linear in the input except where
// yjs itself is worse: merging n updates sorts the n readers once per struct run, and YATA
// conflict resolution walks the concurrent inserts at one position.
package yjs
