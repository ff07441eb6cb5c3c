// Replays a script of edits on two yjs documents and prints every update they produce, so that
// the Go Doc.Transact port can be compared byte for byte. Reads JSON on stdin:
// {"clients":[11,22],"steps":[{"doc":0,"ops":[{"op":"insert","root":"a","index":0,"values":[1]}, ...]},
//                            {"sync":[0,1]}, ...]}
// ops: insert, push, delete (index, length), set (key, value), unset (key).
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'

const hex = (u8) => Buffer.from(u8).toString('hex')
const script = JSON.parse(readFileSync(0, 'utf8'))
const docs = script.clients.map((c) => { const d = new Y.Doc(); d.clientID = c; return d })
const out = []
for (const step of script.steps) {
  if (step.sync) {
    const [from, to] = step.sync
    const u = Y.encodeStateAsUpdate(docs[from], Y.encodeStateVector(docs[to]))
    Y.applyUpdate(docs[to], u)
    out.push(hex(u))
    continue
  }
  const d = docs[step.doc]
  let update = null
  const h = (u) => { update = hex(u) }
  d.on('update', h)
  d.transact(() => {
    for (const op of step.ops) {
      switch (op.op) {
        case 'insert': d.getArray(op.root).insert(op.index, op.values); break
        case 'push': d.getArray(op.root).push(op.values); break
        case 'delete': d.getArray(op.root).delete(op.index, op.length); break
        case 'set': d.getMap(op.root).set(op.key, op.value); break
        case 'unset': d.getMap(op.root).delete(op.key); break
      }
    }
  })
  d.off('update', h)
  out.push(update)
}
console.log(JSON.stringify({ updates: out, states: docs.map((d) => hex(Y.encodeStateAsUpdate(d))), json: docs.map((d) => ({ a: d.getArray('a').toJSON(), m: d.getMap('m').toJSON() })) }))
