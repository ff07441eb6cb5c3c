// V8 Array.prototype.sort with yjs's (inconsistent) decoder comparator from mergeUpdatesV2:
// records input and output order so the Go port of V8's TimSort can be checked step by step.
// Usage: node gen-sort-vectors.mjs > ../v8sort.json
import * as prng from 'lib0/prng'
const gen = prng.create(7)
const cmp = (a, b) => {
  if (a.client === b.client) {
    const d = a.clock - b.clock
    if (d === 0) return a.kind === b.kind ? 0 : a.kind === 'skip' ? 1 : -1
    return d
  }
  return b.client - a.client
}
const cases = []
const sizes = [0, 1, 2, 3, 5, 8, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 200, 257, 500, 1000, 2049]
for (const n of sizes) {
  for (let rep = 0; rep < 4; rep++) {
    const spread = [1, 3, 10, 1000][rep]
    const arr = []
    for (let i = 0; i < n; i++) {
      arr.push({ i, client: prng.int32(gen, 0, spread > 3 ? 3 : 1), clock: prng.int32(gen, 0, spread), kind: prng.oneOf(gen, ['gc', 'item']) })
    }
    // partially presorted inputs exercise galloping
    if (rep === 3) arr.sort(cmp)
    if (rep === 3) for (let k = 0; k < n / 10; k++) { const x = prng.int32(gen, 0, n - 1); const y = prng.int32(gen, 0, n - 1); [arr[x], arr[y]] = [arr[y], arr[x]] }
    const input = arr.map((e) => [e.client, e.clock, e.kind === 'gc' ? 0 : 1])
    arr.forEach((e, i) => { e.i = i })
    arr.sort(cmp)
    cases.push({ input, output: arr.map((e) => e.i) })
  }
}
console.log(JSON.stringify({ node: process.version, cases }))
