import { Agent, request as httpRequest } from 'node:http'
import type { ClientRequest } from 'node:http'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 })

interface RequestOptions {
  body?: unknown
  token?: string
  headers?: Record<string, string>
  timeoutMs?: number
}

/**
 * One HTTP request over a real socket, with a body on any method (fetch refuses one on GET, and
 * surface 2 documents GET and DELETE bodies). Rejects on socket errors, e.g. a killed server.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<RawResponse> {
  const { request, payload, response } = openRequest(baseUrl, method, path, options)
  request.end(payload)
  return response
}

/** A request the server has taken in (its route runs) whose body it is still waiting for. */
export interface HeldRequest {
  /** Sends the body; resolves with the answer. */
  send(): Promise<RawResponse>
}

/**
 * Sends a request's headers with `Expect: 100-continue` and resolves once the server answers
 * `100 Continue`: Node sends that as it hands the request to the application, so from then on the
 * request is in flight, and stays so until `send()` delivers its body. What a test needs to know
 * for certain, without guessing from timing, that a request is in flight at a given moment.
 */
export function heldRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HeldRequest> {
  const held = openRequest(baseUrl, method, path, {
    ...options,
    headers: { ...options.headers, expect: '100-continue' },
  })
  // A held request may never be sent (the server gives up on it): that is not an unhandled error.
  held.response.catch(() => undefined)
  held.request.flushHeaders()
  return new Promise((resolve, reject) => {
    held.request.once('continue', () => {
      resolve({
        send: () => {
          held.request.end(held.payload)
          return held.response
        },
      })
    })
    held.response.then((answer) => {
      reject(new Error(`answered ${answer.status} instead of 100 Continue`))
    }, reject)
  })
}

function openRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions,
): { request: ClientRequest; payload: string | undefined; response: Promise<RawResponse> } {
  const url = new URL(path, baseUrl)
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body)
  const headers: Record<string, string> = { ...options.headers }
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json'
    headers['content-length'] = String(Buffer.byteLength(payload))
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let request!: ClientRequest
  const response = new Promise<RawResponse>((resolve, reject) => {
    request = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown
          try {
            body = text === '' ? undefined : (JSON.parse(text) as unknown)
          } catch {
            body = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body })
        })
      },
    )
    request.setTimeout(options.timeoutMs ?? 30_000, () =>
      request.destroy(new Error('request timed out')),
    )
    request.on('error', reject)
  })
  return { request, payload, response }
}
