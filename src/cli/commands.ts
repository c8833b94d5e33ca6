import type { Config } from '../config.js'
import { openStore } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { systemContext } from '../domain/audit/types.js'
import { isAppError } from '../errors.js'
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

export async function setAdmin(config: Config, login: string, grant: boolean): Promise<Outcome> {
  try {
    const user = await withServices(config, (services) =>
      services.accounts.setRole(login, grant ? 'admin' : 'user', systemContext('strongroom-cli')),
    )
    const who = user.username ?? user.email ?? `#${user.id}`
    return {
      code: 0,
      out: grant
        ? `${who} (user ${user.id}) is now an admin. Roles are read on every request: this takes effect at once.`
        : `${who} (user ${user.id}) is no longer an admin. This takes effect at once.`,
    }
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') {
      return { code: 1, err: `No user with username or e-mail "${login}".` }
    }
    throw error
  }
}

export async function setPassword(
  config: Config,
  login: string,
  password: string,
): Promise<Outcome> {
  if (password === '') return { code: 2, err: 'The new password is empty; nothing changed.' }
  try {
    const user = await withServices(config, (services) =>
      services.accounts.setPassword(login, password, systemContext('strongroom-cli')),
    )
    const who = user.username ?? user.email ?? `#${user.id}`
    return {
      code: 0,
      out: `${who} (user ${user.id}) has a new password. Every token issued before is now refused.`,
    }
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') {
      return { code: 1, err: `No user with username or e-mail "${login}".` }
    }
    throw error
  }
}
