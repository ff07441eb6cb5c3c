// Hand-made V1 updates that exercise the corners of the format (non-canonical any values, JSON
// normalization, surrogate pairs split by diffs and merges, subdocument options, XML types,
// unsorted delete sets, GC/Item ties between updates, ...), with what yjs's update-level
// functions return for them. Usage: node gen-edge-vectors.mjs > ../vectors/edge.json
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

const hex = (u8) => Buffer.from(u8).toString('hex')
const unhex = (h) => new Uint8Array(Buffer.from(h, 'hex'))
const enc = (f) => { const e = encoding.createEncoder(); f(e); return encoding.toUint8Array(e) }
const raw = (e, h) => encoding.writeUint8Array(e, unhex(h))

// struct writers: each is (encoder) => void
const rootItem = (ref, key, content, parentSub) => (e) => {
  encoding.writeUint8(e, ref | (parentSub !== undefined ? 0x20 : 0))
  encoding.writeVarUint(e, 1); encoding.writeVarString(e, key)
  if (parentSub !== undefined) encoding.writeVarString(e, parentSub)
  content(e)
}
const childItem = (ref, parentId, content, parentSub, parentInfo = 0) => (e) => {
  encoding.writeUint8(e, ref | (parentSub !== undefined ? 0x20 : 0))
  encoding.writeVarUint(e, parentInfo); encoding.writeVarUint(e, parentId[0]); encoding.writeVarUint(e, parentId[1])
  if (parentSub !== undefined) encoding.writeVarString(e, parentSub)
  content(e)
}
const originItem = (ref, origin, content, rightOrigin, extraBits = 0) => (e) => {
  encoding.writeUint8(e, ref | 0x80 | (rightOrigin ? 0x40 : 0) | extraBits)
  encoding.writeVarUint(e, origin[0]); encoding.writeVarUint(e, origin[1])
  if (rightOrigin) { encoding.writeVarUint(e, rightOrigin[0]); encoding.writeVarUint(e, rightOrigin[1]) }
  content(e)
}
const gc = (len, info = 0) => (e) => { encoding.writeUint8(e, info); encoding.writeVarUint(e, len) }
const skip = (len) => (e) => { encoding.writeUint8(e, 10); encoding.writeVarUint(e, len) }
// contents
const cStr = (s) => (e) => encoding.writeVarString(e, s)
const cAnyHex = (...hs) => (e) => { encoding.writeVarUint(e, hs.length); hs.forEach((h) => raw(e, h)) }
const cAny = (...vs) => (e) => { encoding.writeVarUint(e, vs.length); vs.forEach((v) => encoding.writeAny(e, v)) }
const cJSON = (...ts) => (e) => { encoding.writeVarUint(e, ts.length); ts.forEach((t) => encoding.writeVarString(e, t)) }
const cText = (t) => (e) => encoding.writeVarString(e, t)
const cFormat = (k, t) => (e) => { encoding.writeVarString(e, k); encoding.writeVarString(e, t) }
const cType = (ref, name) => (e) => { encoding.writeVarUint(e, ref); if (name !== undefined) encoding.writeVarString(e, name) }
const cBin = (bytes) => (e) => encoding.writeVarUint8Array(e, new Uint8Array(bytes))
const cDoc = (guid, optsHex) => (e) => { encoding.writeVarString(e, guid); raw(e, optsHex) }
const cDel = (n) => (e) => encoding.writeVarUint(e, n)

const update = (sections, ds = []) => enc((e) => {
  encoding.writeVarUint(e, sections.length)
  for (const [client, clock, structs] of sections) {
    encoding.writeVarUint(e, structs.length); encoding.writeVarUint(e, client); encoding.writeVarUint(e, clock)
    structs.forEach((f) => f(e))
  }
  encoding.writeVarUint(e, ds.length)
  for (const [client, ranges] of ds) {
    encoding.writeVarUint(e, client); encoding.writeVarUint(e, ranges.length)
    ranges.forEach(([c, l]) => { encoding.writeVarUint(e, c); encoding.writeVarUint(e, l) })
  }
})

const EMPTY = new Uint8Array([0, 0])
const sv = (pairs) => enc((e) => { encoding.writeVarUint(e, pairs.length); pairs.forEach(([c, k]) => { encoding.writeVarUint(e, c); encoding.writeVarUint(e, k) }) })
const attempt = (f) => { try { return hex(f()) } catch (err) { return 'error: ' + err.message } }

const cases = []
// apply the updates in order to a fresh Y.Doc (gc on) and re-encode, with the pending state
const applyAll = (us) => {
  try {
    const d = new Y.Doc()
    us.forEach((u) => Y.applyUpdate(d, u))
    return { docState: hex(Y.encodeStateAsUpdate(d)), docSV: hex(Y.encodeStateVector(d)), docPending: d.store.pendingStructs !== null || d.store.pendingDs !== null }
  } catch (err) { return { docState: 'error: ' + err.message } }
}
// single-update cases: re-encoding through merge (with an empty update), diff and state vector
const single = (name, u, svs = []) => {
  cases.push({
    name,
    updates: [hex(u)],
    merge: attempt(() => Y.mergeUpdates([u, EMPTY])),
    mergeRev: attempt(() => Y.mergeUpdates([EMPTY, u])),
    diffs: [[0], ...svs].map((p) => ({ sv: hex(p.length === 1 && p[0] === 0 ? new Uint8Array([0]) : sv(p)), diff: attempt(() => Y.diffUpdate(u, p.length === 1 && p[0] === 0 ? new Uint8Array([0]) : sv(p))) })),
    stateVector: attempt(() => Y.encodeStateVectorFromUpdate(u)),
    ...applyAll([u])
  })
}
// multi-update cases: merge of the given list
const multi = (name, us) => {
  cases.push({ name, updates: us.map(hex), merge: attempt(() => Y.mergeUpdates(us)), ...applyAll(us) })
}

const A = 1000; const B = 2000; const C = 53 // client ids
// strings with surrogate pairs: diffs and merges that cut a pair
const emoji = 'a😀b😀😀c'
single('string with surrogate pairs', update([[A, 0, [rootItem(4, 't', cStr(emoji))]]]),
  [[[A, 1]], [[A, 2]], [[A, 3]], [[A, 5]], [[A, 6]], [[A, 7]]])
multi('merge cuts surrogate pair', [
  update([[A, 0, [rootItem(4, 't', cStr(emoji))]]]),
  update([[A, 2, [originItem(4, [A, 1], cStr(emoji.slice(2, 4) + 'Q'))]]])
])
multi('merge cuts surrogate pair (other order)', [
  update([[A, 2, [originItem(4, [A, 1], cStr('\uDE00b'))]]]).length ? update([[A, 3, [originItem(4, [A, 2], cStr('b😀'))]]]) : EMPTY,
  update([[A, 0, [rootItem(4, 't', cStr(emoji))]]])
])
single('long astral string', update([[A, 0, [rootItem(4, 't', cStr('😀'.repeat(40) + 'x'.repeat(20000)))]]]), [[[A, 41]], [[A, 80]]])
// any values that JS re-encodes differently
single('any: non-canonical numbers', update([[A, 0, [rootItem(8, 'a', cAnyHex(
  '7b3ff0000000000000', // 1 as float64 -> varInt
  '7c3fc00000', // 1.5 float32 (canonical)
  '7b3ff8000000000000', // 1.5 as float64 -> float32
  '7c7fc00001', // float32 NaN -> float64 NaN
  '7b7ff8000000000001', // float64 NaN payload kept
  '7b7ff0000000000000', // Infinity -> float32
  '7b8000000000000000', // -0 as float64 -> varInt -0
  '7d8000', // non-minimal varInt 0
  '7dc000', // non-minimal -0
  '7dbfffffff1f', // 2^32-1 as varInt -> float32
  '7d8180808080808001', // 2^49+1 as varInt -> float64
  '7a00000002dfdc1c35' // bigint
))]]]))
single('any: objects', update([[A, 0, [rootItem(8, 'a', cAnyHex(
  '76020162770178016177017a', // b, a: insertion order kept
  '7603013177017801307701790162770178', // "1","0","b": index keys first ascending
  '760201617701780161770179', // duplicate key: last value, first position
  '7602095f5f70726f746f5f5f7d0101617d02', // __proto__ dropped
  '7601095f5f70726f746f5f5f760101627d01', // __proto__ = object dropped
  '7602023031770178023130770179', // "01" is not an index, "10" is
  '76020a34323934393637323935770178013077017a', // 4294967295 is not an index
  '7502758000768100016177810078' // nested, non-minimal lengths
))]]]))
single('any: strings and bytes', update([[A, 0, [rootItem(8, 'a', cAnyHex(
  '778300616263', // non-minimal string length
  '7703efbbbf', // BOM kept
  '74820001ff', // non-minimal bytes length
  '7e', '7f', '78', '79'
))]]]))
single('any: deep nesting', update([[A, 0, [rootItem(8, 'a', cAnyHex('7501'.repeat(200) + '7e', '7501'.repeat(1500) + '7e'))]]]))
single('any: bad tag', update([[A, 0, [rootItem(8, 'a', cAnyHex('73'))]]]))
single('any: invalid utf8', update([[A, 0, [rootItem(8, 'a', cAnyHex('7702c328'))]]]))
// JSON content (legacy), embeds and formats
single('json content', update([[A, 0, [rootItem(2, 'a', cJSON(
  ' { "b" : 1 , "a" : [ 1.0 , 2e0 , -0 , 1e21 , 1e-7 , 123456789012345678901234 ] } ',
  'undefined',
  '"\\u0041\\/\\ud83d\\ude00\\ud800 \\u2028\\u001f\\t"',
  '{"2":1,"1":2,"x":3,"x":4,"__proto__":5}',
  '1e400', '-1e-400', '0.1', '5e-324', '[]', '{}', 'null', 'true'
))]]]))
single('json content: invalid', update([[A, 0, [rootItem(2, 'a', cJSON('{a:1}'))]]]))
single('json content: trailing comma', update([[A, 0, [rootItem(2, 'a', cJSON('[1,]'))]]]))
single('embed and format', update([[A, 0, [
  rootItem(5, 't', cText(' {"image" : "x.png" , "w":1.50} ')),
  originItem(6, [A, 0], cFormat('bold', ' true ')),
  originItem(6, [A, 1], cFormat('color', '{"b":1,"a":2}')),
  originItem(4, [A, 2], cStr('hi'))
]]]))
single('format: undefined is invalid', update([[A, 0, [rootItem(6, 't', cFormat('bold', 'undefined'))]]]))
// types
single('types', update([[A, 0, [
  rootItem(7, 'x', cType(3, 'paragraph')),
  originItem(7, [A, 0], cType(5, 'hook')),
  originItem(7, [A, 1], cType(6)),
  originItem(7, [A, 2], cType(4)),
  rootItem(7, 'm', cType(1), 'sub'),
  rootItem(7, 'm', cType(0), 'arr'),
  rootItem(7, 'm', cType(2), 'txt'),
  childItem(8, [A, 5], cAny(1, 2, 3))
]]]))
single('type: unknown ref', update([[A, 0, [rootItem(7, 'x', cType(7))]]]))
single('binary', update([[A, 0, [rootItem(3, 'a', cBin([1, 2, 3])), originItem(3, [A, 0], cBin([]))]]]))
// subdocuments: yjs rebuilds the options object
single('subdoc options', update([[A, 0, [
  rootItem(9, 'd', cDoc('g1', hex(enc((e) => encoding.writeAny(e, { gc: 0, autoLoad: 'yes', meta: { x: 1 }, other: 1 }))))),
  originItem(9, [A, 0], cDoc('g2', hex(enc((e) => encoding.writeAny(e, {}))))),
  originItem(9, [A, 1], cDoc('g3', hex(enc((e) => encoding.writeAny(e, 5))))),
  originItem(9, [A, 2], cDoc('g4', hex(enc((e) => encoding.writeAny(e, { gc: true, autoLoad: false, meta: null }))))),
  originItem(9, [A, 3], cDoc('g5', hex(enc((e) => encoding.writeAny(e, { guid: 'override' }))))),
  originItem(9, [A, 4], cDoc('g6', hex(enc((e) => encoding.writeAny(e, 'str'))))),
  originItem(9, [A, 5], cDoc('g7', hex(enc((e) => encoding.writeAny(e, [1, 2])))))
]]]))
single('subdoc options null', update([[A, 0, [rootItem(9, 'd', cDoc('g', '7e'))]]]))
// parent info and info bits
single('parent info other than 1 means an id', update([[A, 0, [
  rootItem(7, 'm', cType(1)),
  childItem(4, [A, 0], cStr('x'), 'k', 5)
]]]))
single('parentSub bit with origin is dropped', update([[A, 0, [
  rootItem(8, 'm', cAny(1), 'k'),
  originItem(8, [A, 0], cAny(2), undefined, 0x20)
]]]))
single('gc with high bits', update([[A, 0, [gc(3, 0x80), gc(2, 0xe0)]]]))
single('deleted content', update([[A, 0, [rootItem(1, 'a', cDel(5)), originItem(1, [A, 4], cDel(2))]]], [[A, [[0, 7]]]]))
// struct layout
single('same client in two sections', update([[A, 0, [rootItem(8, 'a', cAny(1))]], [B, 0, [rootItem(8, 'a', cAny(2))]], [A, 1, [originItem(8, [A, 0], cAny(3))]]]),
  [[[A, 1]], [[B, 1]]])
single('clients in ascending order', update([[C, 0, [rootItem(8, 'a', cAny(1))]], [A, 0, [rootItem(8, 'a', cAny(2))]], [B, 3, [rootItem(8, 'a', cAny(3))]]]),
  [[[B, 2]], [[B, 4]]])
single('skips and gaps', update([[A, 0, [rootItem(4, 't', cStr('ab')), skip(3), originItem(4, [A, 1], cStr('cd')), gc(2)]]]),
  [[[A, 1]], [[A, 4]], [[A, 6]], [[A, 8]]])
single('starts after 0', update([[A, 5, [originItem(4, [A, 4], cStr('xyz'))]], [B, 0, [gc(1)]]]), [[[A, 6]]])
single('large client id', update([[2 ** 53 - 1, 0, [rootItem(8, 'a', cAny(1))]], [2 ** 32 + 7, 2, [gc(4)]]]), [[[2 ** 53 - 1, 1]]])
// delete sets
single('delete set unsorted with duplicates', update([], [[A, [[5, 2], [0, 1], [6, 3], [20, 0]]], [B, [[1, 1]]], [A, [[2, 2]]], [C, []]]))
multi('delete sets merged', [
  update([], [[A, [[5, 2], [0, 1]]], [B, [[3, 1]]]]),
  update([], [[A, [[1, 4], [20, 0]]], [C, [[0, 1]]]]),
  update([[B, 0, [gc(4)]]], [[B, [[4, 2]]]])
])
// ties between a GC and an Item at the same id (the V8 sort decides)
const itemAt = (clock, v) => update([[A, clock, [originItem(8, [A, clock - 1], cAny(v))]]])
const gcAt = (clock, n) => update([[A, clock, [gc(n)]]])
multi('gc vs item tie', [itemAt(3, 1), gcAt(3, 1)])
multi('item vs gc tie', [gcAt(3, 1), itemAt(3, 1)])
multi('three-way tie', [gcAt(3, 2), itemAt(3, 1), gcAt(3, 1), itemAt(4, 2)])
multi('overlaps', [
  update([[A, 0, [rootItem(4, 't', cStr('abcdef'))]]]),
  update([[A, 2, [originItem(4, [A, 1], cStr('cdefgh'))]]]),
  update([[A, 10, [originItem(4, [A, 9], cStr('kl'))]]]),
  gcAt(1, 3), gcAt(7, 2)
])
multi('gc merging', [gcAt(0, 2), gcAt(2, 2), gcAt(1, 5), itemAt(6, 1)])
multi('many updates', Array.from({ length: 80 }, (_, i) => (i % 3 === 0 ? gcAt(i, 1) : i === 0 ? gcAt(0, 1) : itemAt(i, i))).concat(Array.from({ length: 40 }, (_, i) => (i % 2 ? gcAt(i * 2, 2) : itemAt(i * 2 + 1, i)))))
multi('empty updates', [EMPTY, EMPTY])
// documents: deletions that split items (also inside a surrogate pair), map overwrites, nested
// types deleted with their children, out-of-order delivery
const textA = update([[A, 0, [rootItem(4, 't', cStr(emoji))]]])
multi('doc: delete inside a surrogate pair', [textA, update([], [[A, [[2, 1]]]])])
multi('doc: delete splits items', [textA, update([], [[A, [[1, 2], [5, 1]]]]), update([[B, 0, [originItem(4, [A, 0], cStr('X'), [A, 1])]]])])
multi('doc: zero-length delete splits', [textA, update([], [[A, [[3, 0]]]])])
multi('doc: pending delete', [update([], [[A, [[1, 2], [40, 3]]]]), textA])
multi('doc: map overwrite', [
  update([[A, 0, [rootItem(8, 'm', cAny(1), 'k'), rootItem(8, 'm', cAny('x'), 'j')]]]),
  update([[B, 0, [originItem(8, [A, 0], cAny(2)), originItem(8, [A, 1], cAny('y'))]]])
])
multi('doc: concurrent map writes', [
  update([[B, 0, [rootItem(8, 'm', cAny('b'), 'k')]]]),
  update([[A, 0, [rootItem(8, 'm', cAny('a'), 'k')]]]),
  update([[C, 0, [rootItem(8, 'm', cAny('c'), 'k')]]])
])
multi('doc: nested type deleted with children', [
  update([[A, 0, [rootItem(7, 'm', cType(0), 'rows'), childItem(8, [A, 0], cAny(1, 2, 3)), childItem(7, [A, 0], cType(1)), childItem(4, [A, 4], cStr('deep'), 'k')]]]),
  update([[B, 0, [childItem(8, [A, 0], cAny('late'))]]]),
  update([], [[A, [[0, 1]]]])
])
multi('doc: child arrives after parent deletion', [
  update([[A, 0, [rootItem(7, 'm', cType(0), 'rows')]]], [[A, [[0, 1]]]]),
  update([[B, 0, [childItem(8, [A, 0], cAny('late'))]]])
])
multi('doc: parent is not a type', [
  update([[A, 0, [rootItem(8, 'a', cAny(1))]]]),
  update([[B, 0, [childItem(8, [A, 0], cAny('orphan'))]]])
])
multi('doc: concurrent inserts at the same position', [
  textA,
  update([[B, 0, [originItem(4, [A, 0], cStr('bb'), [A, 1])]]]),
  update([[C, 0, [originItem(4, [A, 0], cStr('cc'), [A, 1])]]]),
  update([[C + 1, 0, [originItem(4, [A, 0], cStr('dd'), [A, 1])]]]),
  update([[B + 1, 0, [originItem(4, [B, 1], cStr('ee'), [A, 1])]]])
])
multi('doc: out of order with gaps', [
  update([[A, 3, [originItem(4, [A, 2], cStr('de'))]]]),
  update([[B, 0, [originItem(4, [A, 4], cStr('Z'))]]]),
  update([[A, 0, [rootItem(4, 't', cStr('abc'))]]])
])
multi('doc: overlapping resend', [
  update([[A, 0, [rootItem(4, 't', cStr('abcdef'))]]], [[A, [[1, 2]]]]),
  update([[A, 2, [originItem(4, [A, 1], cStr('cdefgh'))]]]),
  update([[A, 0, [rootItem(4, 't', cStr('abcdefghij'))]]])
])
multi('doc: gc then resend', [
  update([[A, 0, [gc(4)]]]),
  update([[A, 2, [originItem(4, [A, 1], cStr('cdefgh'))]]])
])
single('truncated', update([[A, 0, [rootItem(4, 't', cStr('abc'))]]]).slice(0, 8))
single('unknown content ref', new Uint8Array([1, 1, 1, 0, 11, 1, 1, 97, 0, 0]))

console.log(JSON.stringify({ yjs: '13.6.33', cases }, null, 1))
