#!/usr/bin/env node
import { parseArgs } from 'node:util'

import { parseAccountSelector } from './cli/account-selector.js'
import { readSecretLine } from './cli/read-secret.js'
import { ConfigError, loadConfig } from './config.js'
import type { LoadedConfig } from './config.js'
import { warmRootKey } from './crypto/keys.js'
import { readEnvironment } from './env-file.js'
import { VERSION } from './version.js'

// The server and the commands are imported when needed: `serve` stretches APP_SECRET on the
// thread pool while the main thread loads the HTTP stack, and the commands never load it.
const commands = () => import('./cli/commands.js')

const HELP = `strongroom ${VERSION}: secret storage with five published APIs

Usage:
  strongroom serve                      serve every surface (what \`npm start\` runs)
  strongroom migrate                    apply pending database migrations (needed for PostgreSQL)
  strongroom admin grant <account>      give a user the admin role
  strongroom admin revoke <account>     take the admin role away
  strongroom user set-password <account>
                                        set a new password, read from standard input (never an
                                        argument); every older token of that user stops working
    <account> is --email ADDRESS, --username NAME, --id N, or one word that is a username
    or an e-mail (refused when it names two accounts); each change prints the account's id,
    e-mail and username
  strongroom audit verify [--public-key KEY] [--checkpoint FILE]
                                        check the audit log against its signed checkpoints with
                                        the public key alone; names the first broken event, and
                                        a cut tail or wiped log against the checkpoint file in
                                        DATA_DIR and FILE (one saved from GET /v1/audit/checkpoint)
  strongroom audit verify --from-export FILE [--public-key KEY] [--checkpoint FILE]
                                        check an NDJSON export (GET /v1/audit/export) instead of
                                        the database; pin the key you trust with --public-key
  strongroom audit public-key           print this installation's audit public key
  strongroom keys status                data-key versions and how many ciphertexts each seals
  strongroom keys rotate [--batch-size N]
                                        a new data-key version seals new values on every node,
                                        then every ciphertext is re-sealed online and unused
                                        versions are retired (README "Keys and rotation")
  strongroom keys reseal [--batch-size N]
                                        finish an interrupted re-seal
  strongroom keys rewrap                re-wrap the keyring under APP_SECRET (or the key file)
                                        while APP_SECRET_PREVIOUS / KEY_FILE_PREVIOUS opens it
  strongroom help                       this text

Configuration comes from the environment and from .env in the working directory
(DATABASE_URL, DATA_DIR, APP_SECRET, …; see README.md). The CLI works on the same store
as a running server and may run while it serves.

Exit codes: 0 success, 1 failure (e.g. a broken audit log), 2 usage or configuration error,
3 keys that do not match the store (another APP_SECRET, a lost key file).`

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      'from-export': { type: 'string' },
      'public-key': { type: 'string' },
      checkpoint: { type: 'string' },
      'batch-size': { type: 'string' },
    },
  })
  const [command, sub] = positionals
  if (values.version === true) return print({ code: 0, out: VERSION })
  if (values.help === true || command === undefined || command === 'help')
    return print({ code: 0, out: HELP })

  let loaded: LoadedConfig
  try {
    loaded = loadConfig(readEnvironment(process.env, process.cwd()))
  } catch (error) {
    if (error instanceof ConfigError) return print({ code: 2, err: error.message })
    throw error
  }
  const { config, warnings } = loaded

  switch (command) {
    case 'serve': {
      const warming = warmRootKey(config.appSecret)
      const { startServer } = await import('./server.js')
      await warming
      await startServer(config, warnings)
      return -1 // keep running; signals end the process
    }
    case 'migrate':
      return print(await (await commands()).migrate(config))
    case 'admin': {
      const selector = parseAccountSelector(argv.slice(2))
      if ((sub === 'grant' || sub === 'revoke') && !('error' in selector)) {
        return print(await (await commands()).setAdmin(config, selector, sub === 'grant'))
      }
      return print({ code: 2, err: usage('admin grant|revoke', selector) })
    }
    case 'user': {
      const selector = parseAccountSelector(argv.slice(2))
      if (sub === 'set-password' && !('error' in selector)) {
        const password = await readSecretLine(`New password for ${selector.value}: `)
        return print(await (await commands()).setPassword(config, selector, password))
      }
      return print({ code: 2, err: usage('user set-password', selector) })
    }
    case 'audit':
      if (sub === 'verify') {
        const audit = await import('./cli/audit-commands.js')
        const options = {
          ...(typeof values['public-key'] === 'string' ? { publicKey: values['public-key'] } : {}),
          ...(typeof values.checkpoint === 'string' ? { checkpointFile: values.checkpoint } : {}),
        }
        const file = values['from-export']
        if (typeof file === 'string' && file !== '') {
          return print(await audit.verifyAuditExport(config, file, options))
        }
        return print(await audit.verifyAudit(config, options))
      }
      if (sub === 'public-key') {
        return print((await import('./cli/audit-commands.js')).showPublicKey(config))
      }
      return print({
        code: 2,
        err: 'Usage: strongroom audit verify [--from-export FILE] [--public-key KEY] [--checkpoint FILE]\n       strongroom audit public-key',
      })
    case 'keys': {
      const { keysCommand } = await import('./cli/key-commands.js')
      const batchSize = typeof values['batch-size'] === 'string' ? values['batch-size'] : undefined
      return print(await keysCommand(config, sub, { ...(batchSize ? { batchSize } : {}) }))
    }
    default:
      return print({ code: 2, err: `Unknown command "${command}".\n\n${HELP}` })
  }
}

function usage(command: string, selector: object): string {
  const why = 'error' in selector ? `${String(selector.error)}\n` : ''
  return `${why}Usage: strongroom ${command} <username or e-mail> | --email ADDRESS | --username NAME | --id N`
}

function print(outcome: { code: number; out?: string; err?: string }): number {
  if (outcome.out !== undefined) process.stdout.write(`${outcome.out}\n`)
  if (outcome.err !== undefined) process.stderr.write(`${outcome.err}\n`)
  return outcome.code
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    // Operational failures (database unreachable, bad schema) in one line, no stack trace.
    process.stderr.write(`strongroom: ${error instanceof Error ? error.message : String(error)}\n`)
    // Keys that do not match the store get their own code, so an orchestrator can tell them apart.
    process.exitCode = error instanceof Error && error.name === 'KeyMismatchError' ? 3 : 1
  },
)
