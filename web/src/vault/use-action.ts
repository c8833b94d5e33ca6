import { useState } from 'preact/hooks'

import { explain, Unreachable, UNREACHABLE_MESSAGE } from '../api.js'
import type { Answer } from '../api.js'

/**
 * Runs one call and keeps its outcome for the page: `error` is a sentence for every failure
 * (refused, throttled, server down), `notice` the message of the last change that succeeded. A 401 means the session
 * ended (logged out elsewhere, expired): `onSignedOut` takes the person back to sign-in.
 */
export function useAction(onSignedOut?: () => void) {
  const [error, setError] = useState('')
  const [notice, setNotice] = useState('')
  const [busy, setBusy] = useState(false)

  async function run<T>(
    call: () => Promise<Answer<T>>,
    ok: number[] = [200, 201, 204],
    success?: string,
  ): Promise<T | undefined> {
    setError('')
    // A read (no success message) keeps the message of the change it follows.
    if (success !== undefined) setNotice('')
    setBusy(true)
    try {
      const answer = await call()
      if (ok.includes(answer.status)) {
        if (success !== undefined) setNotice(success)
        return answer.body
      }
      if (answer.status === 401 && onSignedOut !== undefined) onSignedOut()
      setError(explain(answer))
      return undefined
    } catch (failure) {
      setError(
        failure instanceof Unreachable
          ? UNREACHABLE_MESSAGE
          : 'Something went wrong in this browser.',
      )
      return undefined
    } finally {
      setBusy(false)
    }
  }
  return { error, notice, busy, run, setError }
}
