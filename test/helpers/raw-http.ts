import { Agent, request } from 'node:http'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 })

/**
 * One HTTP request over a real socket, with a body on any method (fetch refuses one on GET, and
 * surface 2 documents GET and DELETE bodies). Rejects on socket errors, e.g. a killed server.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    body?: unknown
    token?: string
    headers?: Record<string, string>
    timeoutMs?: number
  } = {},
): Promise<RawResponse> {
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
  return new Promise((resolve, reject) => {
    const req = request(
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
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end(payload)
  })
}
