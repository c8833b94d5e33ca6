/**
 * Every call a page makes: a same-origin POST with a JSON body to the web app's API. The session
 * cookie goes along by itself (HttpOnly: no script here ever sees it), and the browser adds the
 * Origin header the server checks against cross-site requests.
 */
export interface Answer<T = Record<string, unknown>> {
  status: number
  body: T
}

/** The server could not be reached at all (down, offline, or the connection broke). */
export class Unreachable extends Error {}

export async function post<T = Record<string, unknown>>(
  path: string,
  body: unknown = {},
): Promise<Answer<T>> {
  let response: Response
  try {
    response = await fetch(`/app/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    })
  } catch {
    throw new Unreachable('unreachable')
  }
  const text = await response.text()
  let parsed: unknown = {}
  try {
    parsed = text === '' ? {} : JSON.parse(text)
  } catch {
    parsed = {}
  }
  return { status: response.status, body: (parsed ?? {}) as T }
}

/** A call to the vault API (/v1), made on the session's behalf by the server. */
export const vault = <T = Record<string, unknown>>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: Record<string, unknown>,
): Promise<Answer<T>> =>
  post<T>('/v1', body === undefined ? { method, path } : { method, path, body })

/** A sentence for a person, for any answer that is not a success. */
export function explain(answer: Answer<unknown>): string {
  const body = (answer.body ?? {}) as Record<string, unknown>
  if (answer.status === 429) {
    const wait = typeof body.retry_after === 'number' ? body.retry_after : undefined
    return `Too many attempts. Please wait${wait === undefined ? ' a minute' : ` ${wait} seconds`} and try again.`
  }
  if (answer.status >= 500) return 'The server had a problem. Please try again in a moment.'
  if (answer.status === 401)
    return 'You are not signed in, or your session has ended. Please sign in.'
  if (answer.status === 403) return 'You are not allowed to do that.'
  const detail = body.error ?? body.message ?? body.Message
  if (typeof detail === 'string') return sentence(detail)
  if (typeof detail === 'object' && detail !== null) {
    return Object.entries(detail as Record<string, unknown>)
      .map(([field, message]) => `${field}: ${String(message)}`)
      .join(' ')
  }
  return `The request failed (HTTP ${answer.status}).`
}

const sentence = (text: string): string => {
  const words = text.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1) + (/[.!?]$/.test(words) ? '' : '.')
}

export const UNREACHABLE_MESSAGE =
  'The server cannot be reached. Check your connection, or try again when the server is back.'
