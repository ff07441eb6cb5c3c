// client.mjs: one stock y-websocket WebsocketProvider (and its Y.Doc), driven
// line by line over stdin/stdout by the Go package internal/ywstest.
//
// Every stdin line is one JSON command {"id":N,"cmd":"...",...}. Every command
// gets exactly one reply line {"id":N,"ok":true,...} or
// {"id":N,"ok":false,"error":"..."}, in command order. Unsolicited events are
// {"event":"...",...} lines. stdout carries nothing else: console output of
// the libraries goes to stderr.
//
// The provider is the npm package unchanged; only the WebSocket constructor is
// the `ws` package (Node 20 has no global WebSocket), wrapped to add optional
// request headers.

import * as readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

// Keep stdout for the protocol.
console.log = console.error
console.info = console.error
console.debug = console.error

/** @type {WebsocketProvider|null} */
let provider = null
/** @type {Y.Doc|null} */
let doc = null
/** @type {Map<string,string>} root name → "text"|"map"|"array"|"xml" */
const declared = new Map()
let quitting = false

const out = (obj) => {
  process.stdout.write(JSON.stringify(obj) + '\n')
}
const event = (name, fields = {}) => out({ event: name, ...fields })

const hex = (u8) => Buffer.from(u8).toString('hex')
const unhex = (s) => {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error('bad hex')
  return new Uint8Array(Buffer.from(s, 'hex'))
}

// canonical returns a JSON-compatible value with object keys sorted
// recursively, so that two equal documents print byte-identical JSON.
const canonical = (v) => {
  if (Array.isArray(v)) return v.map(canonical)
  if (v instanceof Uint8Array) return { $bytes: hex(v) }
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v).sort()) {
      if (v[k] !== undefined) o[k] = canonical(v[k])
    }
    return o
  }
  return v === undefined ? null : v
}

const ctorOf = (kind) => {
  switch (kind) {
    case 'text': return Y.Text
    case 'map': return Y.Map
    case 'array': return Y.Array
    case 'xml': return Y.XmlFragment
    default: throw new Error(`unknown type ${JSON.stringify(kind)} (want text, map, array or xml)`)
  }
}

// root gets the root type `name` as kind, remembering the declaration.
const root = (name, kind) => {
  if (typeof name !== 'string') throw new Error('name must be a string')
  if (doc === null) throw new Error('not connected (no connect command yet)')
  declared.set(name, kind)
  return doc.get(name, ctorOf(kind))
}

// kindOf returns the kind of a root type, inferring it for roots that this
// client only knows from remote updates (Yjs keeps them as AbstractType).
// Returns null when the root carries no content that tells (e.g. all deleted).
const kindOf = (name, type) => {
  if (declared.has(name)) return declared.get(name)
  if (type instanceof Y.Text) return 'text'
  if (type instanceof Y.Map) return 'map'
  if (type instanceof Y.Array) return 'array'
  if (type instanceof Y.XmlFragment) return 'xml'
  for (let item = type._start; item !== null; item = item.right) {
    const c = item.content
    if (c instanceof Y.ContentString || c instanceof Y.ContentFormat || c instanceof Y.ContentEmbed) return 'text'
    if (c instanceof Y.ContentAny || c instanceof Y.ContentJSON || c instanceof Y.ContentBinary || c instanceof Y.ContentDoc) return 'array'
    if (c instanceof Y.ContentType) {
      return (c.type instanceof Y.XmlElement || c.type instanceof Y.XmlText) ? 'xml' : 'array'
    }
  }
  for (const item of type._map.values()) {
    if (!item.deleted) return 'map'
  }
  return type._map.size > 0 ? 'map' : null
}

const docState = () => {
  const result = {}
  for (const [name, type] of doc.share) {
    const kind = kindOf(name, type)
    if (kind === null) continue
    const t = doc.get(name, ctorOf(kind))
    result[name] = kind === 'xml' ? t.toString() : t.toJSON()
  }
  return canonical(result)
}

const awarenessStates = () => {
  const states = {}
  for (const [id, state] of provider.awareness.getStates()) states[String(id)] = canonical(state)
  return states
}

const status = () => ({
  clientID: doc.clientID,
  synced: provider.synced,
  wsconnected: provider.wsconnected,
  wsconnecting: provider.wsconnecting,
  shouldConnect: provider.shouldConnect,
  unsuccessfulReconnects: provider.wsUnsuccessfulReconnects,
  url: provider.url
})

const connect = (m) => {
  if (provider !== null) throw new Error('already connected once; use disconnect/connectAgain')
  if (typeof m.url !== 'string' || typeof m.room !== 'string') throw new Error('url and room must be strings')
  doc = new Y.Doc(m.gc === false ? { gc: false } : {})
  if (m.clientID !== undefined) {
    if (!Number.isSafeInteger(m.clientID) || m.clientID < 0) throw new Error('clientID must be a non-negative safe integer')
    doc.clientID = m.clientID // before the provider creates its Awareness
  }
  for (const [name, kind] of Object.entries(m.types || {})) root(name, kind)
  const headers = m.headers || {}
  class HeaderWebSocket extends WebSocket {
    constructor (url, protocols) {
      super(url, protocols, { headers })
    }
  }
  const opts = {
    connect: false, // connect() below, once the listeners are attached
    WebSocketPolyfill: HeaderWebSocket,
    resyncInterval: -1,
    disableBc: true, // no other provider shares this process
    params: m.params || {},
    protocols: m.protocols || []
  }
  if (m.maxBackoffTime !== undefined) opts.maxBackoffTime = m.maxBackoffTime
  provider = new WebsocketProvider(m.url, m.room, doc, opts)
  provider.on('status', ({ status }) => event('status', { status }))
  provider.on('sync', (synced) => event('synced', { synced }))
  provider.on('connection-close', (ev) => {
    if (ev == null) event('connection-close', { local: true })
    else event('connection-close', { code: ev.code, reason: String(ev.reason ?? ''), wasClean: !!ev.wasClean })
  })
  provider.on('connection-error', (ev) => event('connection-error', { message: String(ev?.message ?? ev?.error ?? 'error') }))
  provider.on('closed', ({ code, reason }) => event('closed', { code, reason: String(reason ?? '') }))
  provider.awareness.on('change', ({ added, updated, removed }, origin) => {
    event('awareness', { added, updated, removed, local: origin === 'local' })
  })
  doc.on('update', (update, origin) => event('update', { remote: origin === provider, bytes: update.length }))
  // The constructor would call connect() itself; calling it here instead only
  // lets the first "connecting" status event be seen.
  if (m.connect !== false) provider.connect()
  return { clientID: doc.clientID }
}

const need = () => {
  if (provider === null) throw new Error('not connected (no connect command yet)')
}
const int = (v, what) => {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what} must be a non-negative integer`)
  return v
}

// quit destroys the provider (which sends the local awareness removal and
// closes the socket), waits for the socket to finish closing (bounded), then
// replies and exits.
const quit = (id) => {
  quitting = true
  const ws = provider?.ws
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    if (id === null) process.exit(0) // stdin closed: nobody waits for a reply
    process.stdout.write(JSON.stringify({ id, ok: true }) + '\n', () => process.exit(0))
  }
  if (provider !== null) provider.destroy()
  if (ws && ws.readyState !== WebSocket.CLOSED) {
    const timer = setTimeout(finish, 1000)
    ws.on('close', () => { clearTimeout(timer); finish() })
  } else {
    finish()
  }
}

const handlers = {
  connect,
  insertText: (m) => { need(); root(m.name, 'text').insert(int(m.index, 'index'), String(m.text)); return {} },
  deleteText: (m) => { need(); root(m.name, 'text').delete(int(m.index, 'index'), int(m.length, 'length')); return {} },
  mapSet: (m) => { need(); root(m.name, 'map').set(String(m.key), m.value === undefined ? null : m.value); return {} },
  mapDelete: (m) => { need(); root(m.name, 'map').delete(String(m.key)); return {} },
  arrayPush: (m) => { need(); root(m.name, 'array').push(Array.isArray(m.values) ? m.values : []); return {} },
  arrayInsert: (m) => { need(); root(m.name, 'array').insert(int(m.index, 'index'), Array.isArray(m.values) ? m.values : []); return {} },
  arrayDelete: (m) => { need(); root(m.name, 'array').delete(int(m.index, 'index'), int(m.length, 'length')); return {} },
  declare: (m) => { need(); root(m.name, m.type); return {} },
  applyUpdate: (m) => { need(); Y.applyUpdate(doc, unhex(m.update), 'harness'); return {} },
  setAwareness: (m) => { need(); provider.awareness.setLocalState(m.state === undefined ? null : m.state); return {} },
  setAwarenessField: (m) => { need(); provider.awareness.setLocalStateField(String(m.field), m.value); return {} },
  disconnect: () => { need(); provider.disconnect(); return {} },
  connectAgain: () => { need(); provider.connect(); return {} },
  state: () => { need(); return { state: docState() } },
  awareness: () => { need(); return { states: awarenessStates() } },
  status: () => { need(); return status() },
  encodeState: (m) => { need(); return { update: hex(Y.encodeStateAsUpdate(doc, m.stateVector ? unhex(m.stateVector) : undefined)) } },
  stateVector: () => { need(); return { stateVector: hex(Y.encodeStateVector(doc)) } },
  ping: () => ({})
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (quitting || line.trim() === '') return
  let m
  try {
    m = JSON.parse(line)
  } catch (e) {
    out({ id: null, ok: false, error: 'bad JSON: ' + e.message })
    return
  }
  const id = m?.id ?? null
  if (m?.cmd === 'quit') {
    quit(id)
    return
  }
  const h = handlers[m?.cmd]
  if (h === undefined) {
    out({ id, ok: false, error: `unknown command ${JSON.stringify(m?.cmd)}` })
    return
  }
  try {
    out({ id, ok: true, ...h(m) })
  } catch (e) {
    out({ id, ok: false, error: String(e?.stack ?? e) })
  }
})
// The Go side went away (stdin closed): leave quietly, like a closed tab.
rl.on('close', () => {
  if (!quitting) quit(null)
})
process.on('uncaughtException', (e) => {
  console.error('uncaughtException:', e?.stack ?? e)
  event('error', { message: String(e?.message ?? e) })
})
