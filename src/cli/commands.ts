import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'

import type { Config } from '../config.js'
import type { AccountSelector } from '../domain/accounts/account-service.js'
import { deriveKeys, KEY_FILE, loadRootKey } from '../crypto/keys.js'
import { verifyExportedEvents } from '../domain/audit/audit-trail.js'
import type { VerifyResult } from '../domain/audit/chain.js'
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

export async function verifyAudit(config: Config): Promise<Outcome> {
  return describeVerification(await withServices(config, (services) => services.audit.verify()))
}

/**
 * Verifies an NDJSON export (`GET /v1/audit/export`) with this installation's keys, without
 * touching the database. A line that is not JSON is a break at that line.
 */
export async function verifyAuditExport(config: Config, file: string): Promise<Outcome> {
  if (config.appSecret === undefined && !existsSync(path.join(config.dataDir, KEY_FILE))) {
    return {
      code: 2,
      err: `No key to verify with: set APP_SECRET, or DATA_DIR to the directory holding master.key.`,
    }
  }
  const chainKey = deriveKeys(loadRootKey(config)).auditChain
  let lineNumber = 0
  let badLine: number | undefined
  async function* events(): AsyncGenerator {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
    for await (const line of lines) {
      lineNumber += 1
      if (line.trim() === '') continue
      try {
        yield JSON.parse(line) as unknown
      } catch {
        badLine = lineNumber
        return
      }
    }
  }
  let result: VerifyResult
  try {
    result = await verifyExportedEvents(chainKey, events())
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { code: 2, err: `No such file: ${file}` }
    }
    throw error
  }
  if (badLine !== undefined) {
    return {
      code: 1,
      err: `Audit export BROKEN at line ${badLine} of ${file}: not a JSON event.\n${result.checked} event(s) before it verified.`,
    }
  }
  return describeVerification(result)
}

function describeVerification(result: VerifyResult): Outcome {
  if (result.ok) {
    return {
      code: 0,
      out: `Audit chain intact: ${result.checked} event(s) verified${result.checked > 0 ? ` (last: event ${result.lastSeq}, hash ${result.lastHash.slice(0, 16)}…)` : ''}.`,
    }
  }
  const broken = result.firstBreak
  return {
    code: 1,
    err: `Audit chain BROKEN at event ${broken?.seq ?? '?'}${broken?.eventId === null || broken?.eventId === undefined ? '' : ` (${broken.eventId})`}: ${broken?.message ?? 'unknown'}.\n${result.checked} event(s) before it verified.`,
  }
}
