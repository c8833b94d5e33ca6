import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { describe, it } from 'node:test'

import { answerClientError } from '../../src/http/client-error.js'
import { buildTestApp } from '../helpers/app.js'

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

/** Writes raw bytes to 127.0.0.1:port and collects everything until the server closes. */
async function exchange(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return readAll(socket, () => socket.write(bytes))
}

function readAll(socket: Socket, start: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
    start()
  })
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

function assertHardened(reply: ReturnType<typeof parse>, status: number): void {
  assert.equal(reply.status, status)
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(reply.headers[name], value, `${name} on ${status}`)
  }
  assert.equal(reply.headers['content-length'], String(Buffer.byteLength(reply.body)))
  assert.equal(reply.headers.connection, 'close')
}

describe("Node's own replies to malformed HTTP", () => {
  it('carry the security headers on 400 and 431, over a real socket', async (t) => {
    const { app } = await buildTestApp(t)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo

    const garbage = parse(await exchange(port, 'NOT HTTP AT ALL\r\n\r\n'))
    assertHardened(garbage, 400)
    const badHeader = parse(await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'))
    assertHardened(badHeader, 400)
    const huge = parse(
      await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    )
    assertHardened(huge, 431)
  })

  it('carry them on 408 too (the handler the server uses, on a real socket)', async (t) => {
    // Node raises ERR_HTTP_REQUEST_TIMEOUT after requestTimeout (30 s); the handler is driven
    // with that error directly so the test does not wait for a clock.
    const server = createServer((socket) => {
      answerClientError(
        Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
        socket,
      )
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    t.after(() => server.close())
    const { port } = server.address() as AddressInfo
    const timeout = parse(await exchange(port, 'GET / HTTP/1.1\r\n'))
    assertHardened(timeout, 408)
    assert.deepEqual(JSON.parse(timeout.body), {
      error: 'Request Timeout',
      message: 'Client Timeout',
      statusCode: 408,
    })
  })
})
