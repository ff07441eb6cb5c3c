// refserver.mjs: the reference y-websocket server (setupWSConnection from
// @y/websocket-server, unchanged, in memory) on 127.0.0.1 and a free port.
// It prints one line {"port":N} on stdout once listening and exits when stdin
// closes, so its Go owner (ywstest.StartReferenceServer) controls its life.
// The document name is the URL path without its leading slash, so
// ws://127.0.0.1:N/yjs/doc1 is the document "yjs/doc1".

import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

console.log = console.error

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' })
  res.end('okay')
})
const wss = new WebSocketServer({ noServer: true })
wss.on('connection', setupWSConnection)
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
process.stdin.on('close', () => process.exit(0))
