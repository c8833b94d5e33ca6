import type { Server, ServerResponse } from 'node:http'

/**
 * `server.close()` stops accepting connections and closes the idle ones, then waits for every
 * other connection to end. A keep-alive connection whose request was still running at that moment
 * turns idle once its answer is sent and stays open until its keep-alive timeout, so a graceful
 * shutdown took that timeout longer than its slowest request, and under load ran past its grace
 * period (exit 1) although every request had been answered.
 *
 * Call this before listening; call the function it returns when shutdown begins. From then on,
 * every answer not yet started carries `Connection: close` (RFC 9112 §9.6) and Node closes the
 * connection once it is sent, so the server exits as soon as its last request is answered.
 */
export function closeConnectionsWhenAnswered(server: Server): () => void {
  const unanswered = new Set<ServerResponse>()
  let closing = false
  const hangUp = (response: ServerResponse): void => {
    if (!response.headersSent) response.shouldKeepAlive = false
  }

  server.on('request', (_request, response: ServerResponse) => {
    if (closing) hangUp(response)
    unanswered.add(response)
    response.once('close', () => unanswered.delete(response))
  })

  return () => {
    closing = true
    for (const response of unanswered) hangUp(response)
  }
}
