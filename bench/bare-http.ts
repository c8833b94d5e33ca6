import { createServer } from 'node:http'

/**
 * The request-handling ceiling: node:http answering a fixed JSON body of the same size as a
 * Strongroom answer, with no framework, routing, auth, crypto or store. Nothing Node serves can
 * be faster on this machine.
 */
const body = JSON.stringify({ secret: 'x'.repeat(Number(process.env.BODY_SIZE ?? 12)) })
const port = Number(process.env.PORT ?? 50200)

createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    response.end(body)
  })
}).listen(port, '127.0.0.1')
