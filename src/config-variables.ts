/**
 * Every environment variable Strongroom reads, declared once: its type, default, bounds and what
 * it means. The parser (config.ts) takes defaults and bounds from here, `strongroom help config`
 * prints it, and the README's configuration table is made from it (`npm run docs:config`; a test
 * fails when the two differ), so code, help and documentation cannot drift apart.
 */

const DAY = 24 * 3600
const MIB = 1024 * 1024

/**
 * The live-byte counters are 32-bit integers in the store; the store-wide cap is kept in eight
 * shares (src/domain/one-time/quota.ts), each of which must fit one.
 */
export const MAX_LIVE_BYTES = 8 * 1024 * MIB
export const MAX_LIVE_BYTES_PER_CLIENT = 1024 * MIB

/** How a value is read; config.ts has one reader per type. */
export type VariableType =
  'integer' | 'boolean' | 'text' | 'secret' | 'path' | 'url' | 'list' | 'choice' | 'rate-limits'

export interface VariableSpec {
  name: string
  type: VariableType
  /** The value in effect when the variable is unset, as an operator would write it. */
  default?: string
  /** What the default is in words, after the value: `30 days`. */
  defaultNote?: string
  /** What leaving it unset means when there is no default value: `generated key file`. */
  unsetMeans?: string
  /** Inclusive bounds of an integer. */
  min?: number
  max?: number
  /** One or two sentences, Markdown (backticks and links) as in the README. */
  description: string
}

export const CONFIG_TABLE = [
  {
    name: 'PORT',
    type: 'integer',
    default: '49999',
    min: 0,
    max: 65535,
    description: 'TCP port.',
  },
  {
    name: 'HOST',
    type: 'text',
    default: '0.0.0.0',
    description: 'Address to listen on.',
  },
  {
    name: 'DATA_DIR',
    type: 'path',
    default: './data',
    description: 'Where the SQLite database and the generated key live.',
  },
  {
    name: 'DATABASE_URL',
    type: 'url',
    unsetMeans: 'SQLite in `DATA_DIR`',
    description: '`postgres://…` selects PostgreSQL; a file path selects that SQLite file.',
  },
  {
    name: 'APP_SECRET',
    type: 'secret',
    unsetMeans: 'generated key file',
    description:
      'Root of every key (HKDF with a separate label per purpose). Any non-empty value works; under 32 characters logs a warning. Every node sharing a database needs the same value.',
  },
  {
    name: 'APP_SECRET_PREVIOUS',
    type: 'secret',
    description:
      'The root before a root rotation (see "Keys and rotation"): the keyring still opens under it until `strongroom keys rewrap` has re-wrapped it under `APP_SECRET`. Remove it afterwards.',
  },
  {
    name: 'KEY_FILE_PREVIOUS',
    type: 'path',
    description:
      'The same for a previous root kept in a key file (the old `DATA_DIR/master.key`); only read, never created. Set this or `APP_SECRET_PREVIOUS`, not both.',
  },
  {
    name: 'TOKEN_TTL_SECONDS',
    type: 'integer',
    default: '3600',
    min: 30,
    max: 30 * DAY,
    description: 'Lifetime of access tokens.',
  },
  {
    name: 'LOGIN_MAX_FAILURES_PER_ACCOUNT',
    type: 'integer',
    default: '10',
    min: 1,
    max: 1_000_000,
    description: 'Failed logins for one account before logins for it are refused (429).',
  },
  {
    name: 'LOGIN_MAX_FAILURES_PER_IP',
    type: 'integer',
    default: '100',
    min: 1,
    max: 1_000_000,
    description: 'Failed logins from one client address before its logins are refused (429).',
  },
  {
    name: 'LOGIN_FAILURE_WINDOW_SECONDS',
    type: 'integer',
    default: '900',
    min: 1,
    max: 7 * DAY,
    description: 'Window for both login counters.',
  },
  {
    name: 'BODY_LIMIT_BYTES',
    type: 'integer',
    default: '65536',
    min: 1024,
    max: 16 * MIB,
    description: 'Larger request bodies are refused with 413.',
  },
  {
    name: 'CORS_ORIGINS',
    type: 'list',
    description:
      'Comma-separated exact origins allowed by CORS. Without it, no CORS headers are sent.',
  },
  {
    name: 'TRUST_PROXY',
    type: 'list',
    description:
      'Comma-separated proxy IPs or CIDRs whose `X-Forwarded-For` is believed. Without it, the client address is the socket peer.',
  },
  {
    name: 'IPV6_CLIENT_PREFIX',
    type: 'integer',
    default: '64',
    min: 1,
    max: 128,
    description:
      'Per-client limits (rate limits, login throttle, e-mail lookup) count an IPv6 client by this many leading bits: `64` counts a /64 as one client, `128` each address.',
  },
  {
    name: 'LOG_LEVEL',
    type: 'choice',
    default: 'info',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  },
  {
    name: 'EVENTS_PUBLIC',
    type: 'boolean',
    default: 'false',
    description:
      "`true` serves `GET /api/event` without an admin token (its events hold strangers' IP addresses and user agents).",
  },
  {
    name: 'ONE_TIME_MAX_TTL_SECONDS',
    type: 'integer',
    default: '2592000',
    defaultNote: '30 days',
    min: 1,
    max: 10 * 365 * DAY,
    description:
      'Longest life of a one-time secret; secrets created without `ttl_seconds` (or with 0 or null) live this long, longer ones are shortened to it.',
  },
  {
    name: 'ONE_TIME_MAX_ATTEMPTS',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,
    description:
      'Wrong passphrases that destroy a one-time secret: the fifth wrong one, by default.',
  },
  {
    name: 'ONE_TIME_CREATE_RATE_LIMITS',
    type: 'rate-limits',
    default: '30/minute;300/hour',
    description:
      "Per-client limits on creating one-time secrets (`POST /api/secret`, `POST /generate`, the web app's links), one count for all three; over → 429 with `Retry-After`.",
  },
  {
    name: 'ONE_TIME_MAX_LIVE_BYTES',
    type: 'integer',
    default: '536870912',
    defaultNote: '512 MiB',
    min: 1,
    max: MAX_LIVE_BYTES,
    description:
      'Bytes of unread, unexpired one-time secrets (as stored, sealed) the whole store holds; a creation that would pass it → 429 with `Retry-After`. Kept in eight equal shares, so it can refuse up to one secret per share early.',
  },
  {
    name: 'ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT',
    type: 'integer',
    default: '4194304',
    defaultNote: '4 MiB',
    min: 1,
    max: MAX_LIVE_BYTES_PER_CLIENT,
    description:
      "The same, per client: room returns when the client's secrets are read, deleted, burnt or expire.",
  },
  {
    name: 'ANONYMOUS_HASH_RATE_LIMITS',
    type: 'rate-limits',
    default: '20/minute;200/hour',
    description:
      'Per-client limits on the anonymous routes that hash with argon2id (registration on `/register` and `/v1/auth/register`, one-time passphrases on create, reveal and delete), one count for all of them; over → 429 with `Retry-After`.',
  },
  {
    name: 'REDIS_URL',
    type: 'url',
    description:
      '`redis://…` or `rediss://…`: rate-limit and lockout counters shared by every node. Without it they live in the database.',
  },
  {
    name: 'LOCK_PREFIX',
    type: 'text',
    default: '/lock',
    description:
      'Where the Lock surface is mounted; `/` replaces the Secret Storage surface with it.',
  },
  {
    name: 'LOCK_RATE_LIMITS',
    type: 'rate-limits',
    default: '1/second;5/minute;10/hour',
    description:
      'Per-address, per-route limits of the Lock surface: `N/unit` items (`second`, `minute`, `hour`, `day`) separated by `;`. Empty: no limit.',
  },
  {
    name: 'LOCK_DEBUG_VIEWS',
    type: 'boolean',
    default: 'false',
    description: "`true` serves the Lock surface's `getLogs` and `getUsers` views, to admins only.",
  },
  {
    name: 'SHUTDOWN_GRACE_SECONDS',
    type: 'integer',
    default: '10',
    min: 1,
    max: 3600,
    description:
      'After SIGTERM or SIGINT, how long in-flight requests get to finish before the process exits 1 (it exits 0 as soon as they are answered).',
  },
  {
    name: 'VAULT_VERSIONS_KEPT',
    type: 'integer',
    default: '10',
    min: 0,
    max: 1000,
    description:
      'Earlier values kept per surface-2 secret (see [Versions](#versions)); `0` keeps none.',
  },
  {
    name: 'SMTP_URL',
    type: 'url',
    description:
      'Mail server for password-reset mail (surface 2), `smtp://user:pass@host:587` or `smtps://…`. Unset: no mail is sent, and start and every reset log say so.',
  },
  {
    name: 'MAIL_FROM',
    type: 'text',
    description:
      'Sender of that mail, `reset@example.com` or `Strongroom <reset@example.com>`; set together with `SMTP_URL`.',
  },
  {
    name: 'GROUP_ADDITION_LIMITS',
    type: 'rate-limits',
    default: '30/minute;300/day',
    description:
      'Members one user may add to groups (surface 2), per window, in the `LOCK_RATE_LIMITS` format. Each addition also spends one e-mail lookup.',
  },
  {
    name: 'GROUP_MAX_MEMBERS',
    type: 'integer',
    default: '1000',
    min: 2,
    max: 100_000,
    description: 'Most members one group may have.',
  },
] as const satisfies readonly VariableSpec[]

export type ConfigVariable = (typeof CONFIG_TABLE)[number]['name']

/** The names, in the table's order. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = CONFIG_TABLE.map((spec) => spec.name)

const SPECS: ReadonlyMap<string, VariableSpec> = new Map(
  CONFIG_TABLE.map((spec) => [spec.name, spec]),
)

export function variableSpec(name: ConfigVariable): VariableSpec {
  const spec = SPECS.get(name)
  if (spec === undefined) throw new Error(`${name} is not in the configuration table`)
  return spec
}
