import type { onRequestAsyncHookHandler } from 'fastify'

import { AppError } from '../errors.js'

/**
 * CSRF defence for the web app's API (docs/web-app.md "Sessions"): every call is a POST with a
 * JSON body, and each must come from a page of this very origin. Browsers always send `Origin`
 * on a POST from a page, and `Sec-Fetch-Site` where they support it; another site's form or
 * script cannot forge either. The SameSite=Strict cookie is the second belt.
 */
export const requireSameOrigin: onRequestAsyncHookHandler = async (request) => {
  const origin = request.headers.origin
  const expected = `${request.protocol}://${request.host}`
  const site = request.headers['sec-fetch-site']
  if (origin !== expected || (site !== undefined && site !== 'same-origin')) {
    throw new AppError('FORBIDDEN', 'Cross-origin request refused', { subject: 'origin' })
  }
}
