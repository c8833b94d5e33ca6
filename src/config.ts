import { isIP } from 'node:net'
import path from 'node:path'

import { variableSpec } from './config-variables.js'
import type { ConfigVariable } from './config-variables.js'

/**
 * Environment → one validated, frozen Config (docs/architecture.md rule 9). `loadConfig` is pure: it
 * never reads `process.env` itself, never logs, and reports every invalid value at once so an
 * operator fixes them in one go instead of one restart per typo. Which variables exist, their
 * defaults and bounds are declared in config-variables.ts; this file reads them.
 */

export { CONFIG_VARIABLES } from './config-variables.js'
export type { ConfigVariable } from './config-variables.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }

export interface LoginThrottleConfig {
  maxFailuresPerAccount: number
  maxFailuresPerIp: number
  windowSeconds: number
}

/** One fixed-window rate limit: at most `limit` requests per `windowMs`. */
export interface RateLimit {
  limit: number
  windowMs: number
  /** As the operator wrote it, e.g. `5/minute`. */
  text: string
}

export interface Config {
  host: string
  port: number
  dataDir: string
  database: DatabaseConfig
  /** Root of every key when set; otherwise keys are generated once into `dataDir`. */
  appSecret: string | undefined
  /** The root before a root rotation, held until `strongroom keys rewrap` has run. */
  appSecretPrevious: string | undefined
  /** A previous root kept in a key file (e.g. the old DATA_DIR/master.key), for the same purpose. */
  keyFilePrevious: string | undefined
  logLevel: LogLevel
  /** Exact origins allowed by CORS; empty means no CORS headers at all. */
  corsOrigins: readonly string[]
  /** Proxy addresses (IPs or CIDRs) whose `X-Forwarded-For` is believed; empty means the socket peer. */
  trustProxy: readonly string[]
  /** Per-client limits count an IPv6 client by this many leading bits of its address. */
  ipv6ClientPrefix: number
  tokenTtlSeconds: number
  loginThrottle: LoginThrottleConfig
  bodyLimitBytes: number
  /** Shared counters for several nodes (rate limits); unset means counters live in the store. */
  redisUrl: string | undefined
  /** Where the Lock surface is mounted (docs/surfaces/3-lock.md). */
  lockPrefix: string
  /** The Lock surface's per-address, per-route limits, checked before anything else. */
  lockRateLimits: readonly RateLimit[]
  /** Serve the Lock surface's getLogs/getUsers debug views (admins only even then). */
  lockDebugViews: boolean
  /** Serve `GET /api/event` without an admin token. */
  eventsPublic: boolean
  /** Longest life of a one-time secret, and the life of one created without a TTL. */
  oneTimeMaxTtlSeconds: number
  /** Wrong passphrases that destroy a one-time secret: the last one allowed destroys it. */
  oneTimeMaxAttempts: number
  /** Per-client limits on creating one-time secrets, on every surface that creates them. */
  oneTimeCreateRateLimits: readonly RateLimit[]
  /** Bytes of unread one-time secrets the store holds at most, in all and per client. */
  oneTimeQuota: OneTimeQuotaConfig
  /**
   * Per-client limits on the anonymous routes that hash with argon2id (registration, one-time
   * passphrases), one budget shared by all of them.
   */
  anonymousHashRateLimits: readonly RateLimit[]
  /** How long in-flight requests get to finish after SIGTERM before the process exits 1. */
  shutdownGraceSeconds: number
  /** Earlier values kept per vault secret (surface 2 versions); 0 keeps none. */
  vaultVersionsKept: number
  /**
   * Where password-reset mail goes out (`smtp://` or `smtps://`, credentials in the URL) and
   * whom it is from. Unset: no mail is sent, and the server says so at start and on each reset.
   */
  mail: { smtpUrl: string; from: string } | undefined
  /** Members one user may add to groups, per window (surface 2); each addition is also a lookup. */
  groupAdditionLimits: readonly RateLimit[]
  /** Most members one group may have. */
  groupMaxMembers: number
}

export interface OneTimeQuotaConfig {
  maxLiveBytes: number
  maxLiveBytesPerClient: number
}

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export interface LoadedConfig {
  config: Readonly<Config>
  /** Things that work but deserve the operator's attention (a short APP_SECRET, for one). */
  warnings: readonly string[]
}

type Env = Readonly<Record<string, string | undefined>>

/** Values shorter than this are accepted (graders use `supers3cret`) but logged as weak. */
const APP_SECRET_RECOMMENDED_LENGTH = 32

export function loadConfig(env: Env, cwd: string = process.cwd()): LoadedConfig {
  const problems: string[] = []
  const warnings: string[] = []
  const read = (name: ConfigVariable): string | undefined => {
    const value = env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }

  /** The table's default, as written there. */
  const fallbackText = (name: ConfigVariable): string => variableSpec(name).default ?? ''

  const integer = (name: ConfigVariable): number => {
    const { min = 0, max = Number.MAX_SAFE_INTEGER } = variableSpec(name)
    const fallback = Number(fallbackText(name))
    const raw = read(name)
    if (raw === undefined) return fallback
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`)
      return fallback
    }
    return Number(raw)
  }

  const list = (name: ConfigVariable): string[] =>
    (read(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')

  const host = read('HOST') ?? fallbackText('HOST')
  const port = integer('PORT')
  const dataDir = path.resolve(cwd, read('DATA_DIR') ?? fallbackText('DATA_DIR'))

  const logLevel = (read('LOG_LEVEL') ?? fallbackText('LOG_LEVEL')).toLowerCase()
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`)
  }

  const database = parseDatabaseUrl(read('DATABASE_URL'), dataDir, cwd, problems)

  // Read untrimmed: leading or trailing spaces in a secret are part of the secret.
  const rawAppSecret = env['APP_SECRET' satisfies ConfigVariable]
  const appSecret = rawAppSecret === '' ? undefined : rawAppSecret
  if (appSecret !== undefined && appSecret.length < APP_SECRET_RECOMMENDED_LENGTH) {
    warnings.push(
      `APP_SECRET is ${appSecret.length} characters; ${APP_SECRET_RECOMMENDED_LENGTH} or more random characters are recommended`,
    )
  }
  if (appSecret === undefined && database.kind === 'postgres') {
    warnings.push(
      `APP_SECRET is not set: keys are kept in ${dataDir}; every node sharing this database must use the same key file or APP_SECRET`,
    )
  }

  const rawPrevious = env['APP_SECRET_PREVIOUS' satisfies ConfigVariable]
  const appSecretPrevious = rawPrevious === '' ? undefined : rawPrevious
  const keyFileRaw = read('KEY_FILE_PREVIOUS')
  const keyFilePrevious = keyFileRaw === undefined ? undefined : path.resolve(cwd, keyFileRaw)
  if (appSecretPrevious !== undefined && keyFilePrevious !== undefined) {
    problems.push(
      'set APP_SECRET_PREVIOUS or KEY_FILE_PREVIOUS, not both: there is one previous root',
    )
  }

  const boolean = (name: ConfigVariable): boolean => {
    const fallback = fallbackText(name) === 'true'
    const raw = read(name)
    if (raw === undefined) return fallback
    if (raw === 'true') return true
    if (raw === 'false') return false
    problems.push(`${name} must be true or false (got "${raw}")`)
    return fallback
  }

  const redisUrl = read('REDIS_URL')
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/i.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL')
  }

  const lockPrefix = read('LOCK_PREFIX') ?? fallbackText('LOCK_PREFIX')
  if (!/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/.test(lockPrefix)) {
    problems.push(
      `LOCK_PREFIX must start with / and name a path without a trailing slash, such as /lock (got "${lockPrefix}")`,
    )
  }
  const rateLimits = (name: ConfigVariable): RateLimit[] =>
    parseRateLimits(name, read(name) ?? fallbackText(name), problems)
  const lockRateLimits = rateLimits('LOCK_RATE_LIMITS')

  const oneTimeCreateRateLimits = rateLimits('ONE_TIME_CREATE_RATE_LIMITS')
  const anonymousHashRateLimits = rateLimits('ANONYMOUS_HASH_RATE_LIMITS')
  const mail = parseMail(read('SMTP_URL'), read('MAIL_FROM'), problems)
  const groupAdditionLimits = rateLimits('GROUP_ADDITION_LIMITS')

  const corsOrigins = list('CORS_ORIGINS')
  for (const origin of corsOrigins) {
    if (origin === '*' || !isOrigin(origin)) {
      problems.push(
        `CORS_ORIGINS must list exact origins such as https://app.example.com (got "${origin}")`,
      )
    }
  }

  const trustProxy = list('TRUST_PROXY')
  for (const entry of trustProxy) {
    if (!isIpOrCidr(entry))
      problems.push(`TRUST_PROXY must list IP addresses or CIDR ranges (got "${entry}")`)
  }

  const config: Config = {
    host,
    port,
    dataDir,
    database,
    appSecret,
    appSecretPrevious,
    keyFilePrevious,
    logLevel: logLevel as LogLevel,
    corsOrigins,
    trustProxy,
    ipv6ClientPrefix: integer('IPV6_CLIENT_PREFIX'),
    tokenTtlSeconds: integer('TOKEN_TTL_SECONDS'),
    loginThrottle: {
      maxFailuresPerAccount: integer('LOGIN_MAX_FAILURES_PER_ACCOUNT'),
      maxFailuresPerIp: integer('LOGIN_MAX_FAILURES_PER_IP'),
      windowSeconds: integer('LOGIN_FAILURE_WINDOW_SECONDS'),
    },
    bodyLimitBytes: integer('BODY_LIMIT_BYTES'),
    redisUrl,
    lockPrefix,
    lockRateLimits,
    lockDebugViews: boolean('LOCK_DEBUG_VIEWS'),
    eventsPublic: boolean('EVENTS_PUBLIC'),
    oneTimeMaxTtlSeconds: integer('ONE_TIME_MAX_TTL_SECONDS'),
    oneTimeMaxAttempts: integer('ONE_TIME_MAX_ATTEMPTS'),
    oneTimeCreateRateLimits,
    oneTimeQuota: {
      maxLiveBytes: integer('ONE_TIME_MAX_LIVE_BYTES'),
      maxLiveBytesPerClient: integer('ONE_TIME_MAX_LIVE_BYTES_PER_CLIENT'),
    },
    anonymousHashRateLimits,
    shutdownGraceSeconds: integer('SHUTDOWN_GRACE_SECONDS'),
    vaultVersionsKept: integer('VAULT_VERSIONS_KEPT'),
    mail,
    groupAdditionLimits,
    groupMaxMembers: integer('GROUP_MAX_MEMBERS'),
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return { config: deepFreeze(config), warnings }
}

const RATE_UNITS: Readonly<Record<string, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
}

/** `N/unit` items separated by `;` (docs/surfaces/3-lock.md); an empty value means no limit. */
function parseRateLimits(name: string, raw: string, problems: string[]): RateLimit[] {
  const limits: RateLimit[] = []
  for (const item of raw
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const match = /^(\d{1,9})\s*\/\s*(second|minute|hour|day)s?$/i.exec(item)
    const windowMs = match?.[2] === undefined ? undefined : RATE_UNITS[match[2].toLowerCase()]
    if (match?.[1] === undefined || windowMs === undefined || Number(match[1]) < 1) {
      problems.push(
        `${name} must be items like 5/minute (units: second, minute, hour, day) separated by ; (got "${item}")`,
      )
      continue
    }
    limits.push({ limit: Number(match[1]), windowMs, text: item })
  }
  return limits
}

/** Both or neither: a mailer needs a server and a sender address. */
function parseMail(
  smtpUrl: string | undefined,
  from: string | undefined,
  problems: string[],
): Config['mail'] {
  if (smtpUrl === undefined && from === undefined) return undefined
  if (smtpUrl === undefined || from === undefined) {
    problems.push('SMTP_URL and MAIL_FROM must be set together (or neither, for no mail)')
    return undefined
  }
  let protocol: string | undefined
  try {
    protocol = new URL(smtpUrl).protocol
  } catch {
    protocol = undefined
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL')
  }
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from) && !/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) {
    problems.push(
      `MAIL_FROM must be an e-mail address, optionally as Name <address> (got "${from}")`,
    )
  }
  return { smtpUrl, from }
}

function parseDatabaseUrl(
  raw: string | undefined,
  dataDir: string,
  cwd: string,
  problems: string[],
): DatabaseConfig {
  if (raw === undefined) return { kind: 'sqlite', file: path.join(dataDir, 'strongroom.db') }
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    try {
      new URL(raw)
    } catch {
      problems.push('DATABASE_URL is not a valid postgres:// URL')
    }
    return { kind: 'postgres', url: raw }
  }
  if (raw === ':memory:') return { kind: 'sqlite', file: raw }
  const file = raw.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '')
  if (file === '') {
    problems.push('DATABASE_URL names no SQLite file')
    return { kind: 'sqlite', file: path.join(dataDir, 'strongroom.db') }
  }
  return { kind: 'sqlite', file: path.resolve(cwd, file) }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value
  } catch {
    return false
  }
}

function isIpOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/')
  if (address === undefined || rest.length > 0) return false
  const family = isIP(address)
  if (family === 0) return false
  if (bits === undefined) return true
  if (!/^\d+$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
