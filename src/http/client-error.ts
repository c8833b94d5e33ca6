import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

import { securityHeaders } from './security-headers.js'

/**
 * Node's answer to a request it could not parse (a garbled request line or header: 400; headers
 * over the limit: 431; a request not complete within `requestTimeout`: 408). Node writes these
 * itself, outside every Fastify hook, so Fastify's default answer carries none of the headers
 * every response promises (README "Security model"): this one does, in the JSON shape Fastify
 * uses, and closes the
 * connection as Node does, since the rest of the stream cannot be trusted.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Client Timeout']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Exceeded maximum allowed HTTP header size']
        : [400, 'Client Error']
  const reason = STATUS_CODES[status] ?? 'Error'
  const body = JSON.stringify({ error: reason, message, statusCode: status })
  const headers = {
    ...securityHeaders(),
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  }
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`)
  else socket.destroy()
}
