import type { Config } from '../config.js'
import type { AccountSelector } from '../domain/accounts/account-service.js'
import { openStore } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { systemContext } from '../domain/audit/types.js'
import { isAppError } from '../errors.js'
import { describeAccount, describeSelector } from './account-selector.js'
import { withServices } from './context.js'

/** A command's result: what to print and the exit code. */
export interface Outcome {
  code: number
  out?: string
  err?: string
}

export async function migrate(config: Config): Promise<Outcome> {
  const store = openStore(config.database)
  try {
    const applied = await migrateToLatest(store)
    return {
      code: 0,
      out:
        applied.length === 0
          ? 'Schema is current; nothing to apply.'
          : `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`,
    }
  } finally {
    await store.close()
  }
}

export async function setAdmin(
  config: Config,
  selector: AccountSelector,
  grant: boolean,
): Promise<Outcome> {
  return changeAccount(selector, async () => {
    const user = await withServices(config, (services) =>
      services.accounts.setRole(
        selector,
        grant ? 'admin' : 'user',
        systemContext('strongroom-cli'),
      ),
    )
    return grant
      ? `Changed ${describeAccount(user)}: now an admin. Roles are read on every request: this takes effect at once.`
      : `Changed ${describeAccount(user)}: no longer an admin. This takes effect at once.`
  })
}

export async function setPassword(
  config: Config,
  selector: AccountSelector,
  password: string,
): Promise<Outcome> {
  if (password === '') return { code: 2, err: 'The new password is empty; nothing changed.' }
  return changeAccount(selector, async () => {
    const user = await withServices(config, (services) =>
      services.accounts.setPassword(selector, password, systemContext('strongroom-cli')),
    )
    return `Changed ${describeAccount(user)}: it has a new password. Every token issued before is now refused.`
  })
}

/** Runs a change to one account and words the two ways naming it can fail. */
async function changeAccount(
  selector: AccountSelector,
  change: () => Promise<string>,
): Promise<Outcome> {
  try {
    return { code: 0, out: await change() }
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') {
      return { code: 1, err: `No user with ${describeSelector(selector)}.` }
    }
    if (isAppError(error) && error.details.subject === 'ambiguous-account') {
      return {
        code: 1,
        err: `The ${describeSelector(selector)} matches more than one account; nothing changed. Name it with --email, --username or --id.`,
      }
    }
    throw error
  }
}
