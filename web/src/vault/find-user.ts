import { vault } from '../api.js'
import type { useAction } from './use-action.js'

/** The id of the user with exactly this e-mail (Secrets v1's only user lookup), or undefined. */
export async function userIdByEmail(
  action: ReturnType<typeof useAction>,
  email: string,
): Promise<number | undefined> {
  if (email === '') {
    action.setError('Enter the e-mail of the person.')
    return undefined
  }
  const found = await action.run(() =>
    vault<{ user: { id: number } }>('GET', `/users?email=${encodeURIComponent(email)}`),
  )
  return found?.user.id
}
