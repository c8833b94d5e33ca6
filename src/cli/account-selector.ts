import type { AccountSelector } from '../domain/accounts/account-service.js'
import type { UserView } from '../domain/accounts/views.js'

/**
 * How `admin grant|revoke` and `user set-password` are told which account: exactly one of
 * `--email ADDRESS`, `--username NAME`, `--id N`, or a bare word (a username or an e-mail; refused
 * when it names two accounts). The options were parsed strictly (command-table.ts), so a typo in a
 * flag never falls back to a guess.
 */
export function accountFromArguments(
  values: Record<string, string | boolean | undefined>,
  positionals: readonly string[],
): AccountSelector | { error: string } {
  const option = (name: string): string | undefined =>
    typeof values[name] === 'string' ? values[name] : undefined
  const email = option('email')
  const username = option('username')
  const id = option('id')
  const given: AccountSelector[] = [
    ...(email === undefined ? [] : [{ by: 'email' as const, value: email }]),
    ...(username === undefined ? [] : [{ by: 'username' as const, value: username }]),
    ...(id === undefined ? [] : [{ by: 'id' as const, value: id }]),
    ...positionals.map((value) => ({ by: 'any' as const, value })),
  ]
  const [only] = given
  if (given.length !== 1 || only === undefined || only.value === '') {
    return {
      error: 'name exactly one account: --email ADDRESS, --username NAME, --id N or one word',
    }
  }
  return only
}

/** How a selector is quoted back in an error. */
export function describeSelector(selector: AccountSelector): string {
  switch (selector.by) {
    case 'email':
      return `e-mail "${selector.value}"`
    case 'username':
      return `username "${selector.value}"`
    case 'id':
      return `id ${selector.value}`
    case 'any':
      return `username or e-mail "${selector.value}"`
  }
}

/** The account a command changed, by id, e-mail and username, so the operator can check it. */
export function describeAccount(user: Pick<UserView, 'id' | 'email' | 'username'>): string {
  return `user ${user.id} (e-mail: ${user.email ?? 'none'}, username: ${user.username ?? 'none'})`
}
