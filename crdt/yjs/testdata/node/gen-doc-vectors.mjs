// Document-level vectors: the updates of each seed*.json vector file are applied one by one to a
// fresh Y.Doc (gc on) in several orders (in order, reversed, shuffled: out-of-order updates leave
// structs and deletions pending), and yjs's encodeStateAsUpdate / encodeStateVector are recorded
// at checkpoints and at the end, plus diffs against every per-doc state vector.
// Usage: node gen-doc-vectors.mjs > ../vectors/doc.json
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { readFileSync, readdirSync } from 'node:fs'

const hex = (u8) => Buffer.from(u8).toString('hex')
const unhex = (h) => new Uint8Array(Buffer.from(h, 'hex'))
const dir = new URL('../vectors/', import.meta.url)
const files = readdirSync(dir).filter((f) => /^seed.*\.json$/.test(f)).sort()
const out = []
for (const file of files) {
  const v = JSON.parse(readFileSync(new URL(file, dir), 'utf8'))
  const ups = v.updates.map((u) => unhex(u.v1))
  const gen = prng.create(v.generator.seed)
  const shuffle = () => { const a = ups.map((_, i) => i); for (let i = a.length - 1; i > 0; i--) { const j = prng.int32(gen, 0, i); [a[i], a[j]] = [a[j], a[i]] } return a }
  const orders = [ups.map((_, i) => i), ups.map((_, i) => ups.length - 1 - i), shuffle(), shuffle()]
  const every = Math.max(1, Math.ceil(ups.length / 6))
  out.push({
    file,
    orders: orders.map((order) => {
      const doc = new Y.Doc()
      const steps = []
      order.forEach((idx, k) => {
        Y.applyUpdate(doc, ups[idx])
        if ((k + 1) % every === 0 && k + 1 < order.length) {
          steps.push({ after: k + 1, state: hex(Y.encodeStateAsUpdate(doc)), sv: hex(Y.encodeStateVector(doc)), pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null })
        }
      })
      return {
        order,
        steps,
        state: hex(Y.encodeStateAsUpdate(doc)),
        sv: hex(Y.encodeStateVector(doc)),
        diffs: v.perDoc.map((p) => ({ sv: p.sv, diff: hex(Y.encodeStateAsUpdate(doc, unhex(p.sv))) }))
      }
    })
  })
}
console.log(JSON.stringify({ yjs: '13.6.33', files: out }))
