import type { ParseArgsConfig } from 'node:util'

import type { LoadedConfig } from '../config.js'
import { accountFromArguments } from './account-selector.js'
import type { Outcome } from './commands.js'
import { readSecretLine } from './read-secret.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** What a command is given: its own options and positionals, parsed strictly, and the config. */
export interface Invocation {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  loaded: LoadedConfig
}

/**
 * One command of `strongroom`: its words, what it takes, what `help` says of it, and what it does.
 * The help text and the argument parsing are both made from this table, so an option cannot be
 * documented and unparsed, or parsed and undocumented; an option a command does not list is an
 * error, never ignored.
 */
export interface Command {
  /** `['admin', 'grant']`: the words that name it. */
  words: readonly string[]
  /** What follows the words in the usage line, e.g. `<account>` or `[--public-key KEY]`. */
  synopsis: string
  /** Help text lines, each at most about 60 characters. */
  help: readonly string[]
  options?: Options
  /** How many positionals (after the words) it takes. */
  positionals: { min: number; max: number }
  /** `serving` for `serve`, which keeps running; otherwise the outcome to print. */
  run(invocation: Invocation): Promise<Outcome | 'serving'>
}

const commands = () => import('./commands.js')
const audit = () => import('./audit-commands.js')

/** `--email ADDRESS`, `--username NAME`, `--id N` or one word: see account-selector.ts. */
const ACCOUNT_OPTIONS: Options = {
  email: { type: 'string' },
  username: { type: 'string' },
  id: { type: 'string' },
}
const ACCOUNT_HELP = [
  '<account> is --email ADDRESS, --username NAME, --id N, or one',
  'word that is a username or an e-mail (refused when it names two',
  "accounts); each change prints the account's id, e-mail and username",
]

const VERIFY_OPTIONS: Options = {
  'from-export': { type: 'string' },
  'public-key': { type: 'string' },
  checkpoint: { type: 'string' },
}

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined

export const COMMANDS: readonly Command[] = [
  {
    words: ['serve'],
    synopsis: '',
    help: ['serve every surface (what `npm start` runs)'],
    positionals: { min: 0, max: 0 },
    async run({ loaded }) {
      const { warmRootKey } = await import('../crypto/keys.js')
      const warming = warmRootKey(loaded.config.appSecret)
      const { startServer } = await import('../server.js')
      await warming
      await startServer(loaded.config, loaded.warnings)
      return 'serving'
    },
  },
  {
    words: ['migrate'],
    synopsis: '',
    help: ['apply pending database migrations (needed for PostgreSQL)'],
    positionals: { min: 0, max: 0 },
    run: async ({ loaded }) => (await commands()).migrate(loaded.config),
  },
  ...(['grant', 'revoke'] as const).map((verb): Command => ({
    words: ['admin', verb],
    synopsis: '<account>',
    help: [verb === 'grant' ? 'give a user the admin role' : 'take the admin role away'],
    options: ACCOUNT_OPTIONS,
    positionals: { min: 0, max: 1 },
    async run({ values, positionals, loaded }) {
      const selector = accountFromArguments(values, positionals)
      if ('error' in selector) return usageError(this, selector.error)
      return (await commands()).setAdmin(loaded.config, selector, verb === 'grant')
    },
  })),
  {
    words: ['user', 'set-password'],
    synopsis: '<account>',
    help: [
      'set a new password, read from standard input (never an',
      'argument); every older token of that user stops working',
      ...ACCOUNT_HELP,
    ],
    options: ACCOUNT_OPTIONS,
    positionals: { min: 0, max: 1 },
    async run({ values, positionals, loaded }) {
      const selector = accountFromArguments(values, positionals)
      if ('error' in selector) return usageError(this, selector.error)
      const password = await readSecretLine(`New password for ${selector.value}: `)
      return (await commands()).setPassword(loaded.config, selector, password)
    },
  },
  {
    words: ['audit', 'verify'],
    synopsis: '[--from-export FILE] [--public-key KEY] [--checkpoint FILE]',
    help: [
      'check the audit log against its signed checkpoints with the',
      'public key alone; names the first broken event, and a cut tail',
      'or wiped log against the checkpoint file in DATA_DIR and FILE',
      '(one saved from GET /v1/audit/checkpoint). --from-export checks',
      'an NDJSON export (GET /v1/audit/export) instead of the',
      'database; pin the key you trust with --public-key',
    ],
    options: VERIFY_OPTIONS,
    positionals: { min: 0, max: 0 },
    async run({ values, loaded }) {
      const publicKey = text(values['public-key'])
      const checkpointFile = text(values.checkpoint)
      const options = {
        ...(publicKey === undefined ? {} : { publicKey }),
        ...(checkpointFile === undefined ? {} : { checkpointFile }),
      }
      const file = text(values['from-export'])
      if (file !== undefined) {
        if (file === '') return usageError(this, '--from-export needs a file')
        return (await audit()).verifyAuditExport(loaded.config, file, options)
      }
      return (await audit()).verifyAudit(loaded.config, options)
    },
  },
  {
    words: ['audit', 'public-key'],
    synopsis: '',
    help: ["print this installation's audit public key"],
    positionals: { min: 0, max: 0 },
    run: async ({ loaded }) => (await audit()).showPublicKey(loaded.config),
  },
  ...(
    [
      [
        'backup',
        [
          'snapshot the embedded SQLite store while it serves, with a',
          'manifest and a checksum, into a new FILE (no keys in it)',
        ],
      ],
      [
        'restore',
        [
          'check FILE, then restore it into an empty DATA_DIR under',
          'the same keys and verify its audit log',
        ],
      ],
    ] as const
  ).map(([word, help]): Command => ({
    words: [word],
    synopsis: 'FILE',
    help,
    positionals: { min: 1, max: 1 },
    run: async ({ positionals, loaded }) =>
      (await import('./backup-commands.js'))[word](loaded.config, positionals[0] ?? ''),
  })),
  ...(
    [
      ['status', [], ['data-key versions and how many ciphertexts each seals']],
      [
        'rotate',
        ['batch-size'],
        [
          'a new data-key version seals new values on every node, then',
          'every ciphertext is re-sealed online and unused versions are',
          'retired (README "Keys and rotation")',
        ],
      ],
      ['reseal', ['batch-size'], ['finish an interrupted re-seal']],
      [
        'rewrap',
        [],
        [
          're-wrap the keyring under APP_SECRET (or the key file) while',
          'APP_SECRET_PREVIOUS / KEY_FILE_PREVIOUS opens it',
        ],
      ],
    ] as const
  ).map(([sub, options, help]): Command => ({
    words: ['keys', sub],
    synopsis: options.length > 0 ? '[--batch-size N]' : '',
    help,
    ...(options.length > 0 ? { options: { 'batch-size': { type: 'string' } } } : {}),
    positionals: { min: 0, max: 0 },
    async run({ values, loaded }) {
      const { keysCommand } = await import('./key-commands.js')
      const batchSize = text(values['batch-size'])
      return keysCommand(loaded.config, sub, batchSize === undefined ? {} : { batchSize })
    },
  })),
]

export function usageLine(command: Command): string {
  return `strongroom ${[...command.words, command.synopsis].filter((part) => part !== '').join(' ')}`
}

/** A usage error: what was wrong, then how the command is called (exit code 2). */
export function usageError(command: Command, why: string): Outcome {
  return { code: 2, err: `${why}\nUsage: ${usageLine(command)}` }
}

/** The help of every command, made from the table: usage line, then its lines indented. */
export function commandsHelp(): string {
  const column = 40
  return COMMANDS.map((command) => {
    const usage = `  ${usageLine(command)}`
    const [first = '', ...rest] = command.help
    const lines =
      usage.length < column - 1
        ? [`${usage.padEnd(column)}${first}`, ...rest.map((line) => ' '.repeat(column) + line)]
        : [usage, ...command.help.map((line) => ' '.repeat(column) + line)]
    return lines.join('\n')
  }).join('\n')
}
