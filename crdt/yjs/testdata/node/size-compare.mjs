// Makes N edits (typing and deleting text, pushing and deleting table rows, overwriting map keys)
// on two yjs documents that sync now and then, and prints every update plus the size of yjs's own
// encodeStateAsUpdate of the converged document. Used by TestNode_CompactionSize.
// Usage: node size-compare.mjs [N]
import * as Y from 'yjs'
import * as prng from 'lib0/prng'

const N = Number(process.argv[2] ?? 10000)
const gen = prng.create(2024)
const hex = (u8) => Buffer.from(u8).toString('hex')
const updates = []
const docs = [new Y.Doc(), new Y.Doc()]
docs.forEach((d, i) => {
  d.clientID = 500 + i
  d.on('update', (u, origin) => { if (origin !== 'sync') updates.push(hex(u)) })
})
for (let k = 0; k < N; k++) {
  const d = docs[prng.int32(gen, 0, 1)]
  const text = d.getText('t')
  const table = d.getArray('table:posts')
  const map = d.getMap('m')
  const r = prng.int32(gen, 0, 99)
  if (r < 45) text.insert(prng.int32(gen, 0, text.length), prng.word(gen, 1, 6))
  else if (r < 70) { if (text.length > 0) { const p = prng.int32(gen, 0, text.length - 1); text.delete(p, Math.min(text.length - p, prng.int32(gen, 1, 8))) } }
  else if (r < 82) table.push([{ key: 'p' + prng.int32(gen, 0, 50), val: { title: prng.word(gen, 3, 12), views: prng.int32(gen, 0, 999) }, ts: 1700000000000 + k }])
  else if (r < 92) { if (table.length > 0) table.delete(prng.int32(gen, 0, table.length - 1)) }
  else map.set('k' + prng.int32(gen, 0, 20), { n: k, s: prng.word(gen, 0, 10) })
  if (k % 50 === 49) {
    Y.applyUpdate(docs[1], Y.encodeStateAsUpdate(docs[0], Y.encodeStateVector(docs[1])), 'sync')
    Y.applyUpdate(docs[0], Y.encodeStateAsUpdate(docs[1], Y.encodeStateVector(docs[0])), 'sync')
  }
}
Y.applyUpdate(docs[1], Y.encodeStateAsUpdate(docs[0], Y.encodeStateVector(docs[1])), 'sync')
Y.applyUpdate(docs[0], Y.encodeStateAsUpdate(docs[1], Y.encodeStateVector(docs[0])), 'sync')
const fresh = new Y.Doc()
updates.forEach((u) => Y.applyUpdate(fresh, Buffer.from(u, 'hex')))
console.log(JSON.stringify({
  edits: N,
  updates,
  yjsStateSize: Y.encodeStateAsUpdate(docs[0]).length,
  yjsFreshState: hex(Y.encodeStateAsUpdate(fresh)),
  textLength: docs[0].getText('t').length,
  tableLength: docs[0].getArray('table:posts').length
}))
