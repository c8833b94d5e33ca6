import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'

import { ConfigError, loadConfig } from '../src/config.js'
import { readEnvironment } from '../src/env-file.js'

describe('configuration', () => {
  it('serves the embedded store on 0.0.0.0:49999 with nothing set', () => {
    const { config, warnings } = loadConfig({}, '/srv/app')
    assert.equal(config.host, '0.0.0.0')
    assert.equal(config.port, 49_999)
    assert.equal(config.dataDir, '/srv/app/data')
    assert.deepEqual(config.database, { kind: 'sqlite', file: '/srv/app/data/strongroom.db' })
    assert.equal(config.appSecret, undefined)
    assert.equal(config.tokenTtlSeconds, 3600)
    assert.deepEqual(config.loginThrottle, {
      maxFailuresPerAccount: 10,
      maxFailuresPerIp: 100,
      windowSeconds: 900,
    })
    assert.equal(config.bodyLimitBytes, 65_536)
    assert.deepEqual(config.corsOrigins, [])
    assert.equal(config.redisUrl, undefined)
    assert.equal(config.lockPrefix, '/lock')
    assert.deepEqual(
      config.lockRateLimits.map(({ limit, windowMs }) => [limit, windowMs]),
      [
        [1, 1000],
        [5, 60_000],
        [10, 3_600_000],
      ],
    )
    assert.equal(config.lockDebugViews, false)
    assert.equal(config.eventsPublic, false)
    assert.equal(config.oneTimeMaxTtlSeconds, 2_592_000)
    assert.equal(config.oneTimeMaxAttempts, 5)
    assert.equal(config.shutdownGraceSeconds, 10)
    assert.deepEqual(warnings, [])
  })

  it('is frozen', () => {
    const { config } = loadConfig({})
    assert.throws(() => {
      ;(config as { port: number }).port = 1
    }, TypeError)
    assert.throws(() => {
      ;(config.loginThrottle as { windowSeconds: number }).windowSeconds = 1
    }, TypeError)
  })

  it('lists every invalid value in one error', () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: '70000',
          LOG_LEVEL: 'loud',
          TOKEN_TTL_SECONDS: '-5',
          CORS_ORIGINS: 'https://ok.example.com,*',
          TRUST_PROXY: '10.0.0.0/8,not-an-ip',
          LOGIN_MAX_FAILURES_PER_ACCOUNT: '0',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.problems.length, 6)
        for (const name of [
          'PORT',
          'LOG_LEVEL',
          'TOKEN_TTL_SECONDS',
          'CORS_ORIGINS',
          'TRUST_PROXY',
          'LOGIN_MAX_FAILURES_PER_ACCOUNT',
        ]) {
          assert.ok(error.message.includes(name), `${name} not reported`)
        }
        return true
      },
    )
  })

  it('counts IPv6 clients by a /64 unless IPV6_CLIENT_PREFIX says otherwise', () => {
    assert.equal(loadConfig({}).config.ipv6ClientPrefix, 64)
    assert.equal(loadConfig({ IPV6_CLIENT_PREFIX: '48' }).config.ipv6ClientPrefix, 48)
    assert.equal(loadConfig({ IPV6_CLIENT_PREFIX: '128' }).config.ipv6ClientPrefix, 128)
    for (const bad of ['0', '129', '/64', '64.5']) {
      assert.throws(
        () => loadConfig({ IPV6_CLIENT_PREFIX: bad }),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes('IPV6_CLIENT_PREFIX'),
      )
    }
  })

  it('accepts a short APP_SECRET with a warning, and never echoes it', () => {
    const { config, warnings } = loadConfig({ APP_SECRET: 'supers3cret' })
    assert.equal(config.appSecret, 'supers3cret')
    assert.equal(warnings.length, 1)
    assert.equal(warnings[0]?.includes('supers3cret'), false)
  })

  it('selects PostgreSQL by a postgres:// URL and SQLite otherwise', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).config.database, {
      kind: 'postgres',
      url: 'postgres://u@h/db',
    })
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).config.database.kind,
      'postgres',
    )
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/s.db' }).config.database, {
      kind: 'sqlite',
      file: '/var/lib/s.db',
    })
    assert.deepEqual(loadConfig({ DATABASE_URL: 'rel.db' }, '/x').config.database, {
      kind: 'sqlite',
      file: '/x/rel.db',
    })
  })

  it('warns that PostgreSQL nodes must share keys when APP_SECRET is unset', () => {
    const { warnings } = loadConfig({ DATABASE_URL: 'postgres://u@h/db' })
    assert.equal(warnings.length, 1)
    assert.match(warnings[0] ?? '', /every node/)
  })

  it('parses the surface settings, and reports each bad one', () => {
    const { config } = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOCK_PREFIX: '/',
      LOCK_RATE_LIMITS: '2/second; 100/day',
      LOCK_DEBUG_VIEWS: 'true',
      EVENTS_PUBLIC: 'true',
      ONE_TIME_MAX_TTL_SECONDS: '60',
      ONE_TIME_MAX_ATTEMPTS: '3',
      SHUTDOWN_GRACE_SECONDS: '30',
    })
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379')
    assert.equal(config.lockPrefix, '/')
    assert.deepEqual(
      config.lockRateLimits.map(({ limit, windowMs }) => [limit, windowMs]),
      [
        [2, 1000],
        [100, 86_400_000],
      ],
    )
    assert.equal(config.lockDebugViews, true)
    assert.equal(config.eventsPublic, true)
    assert.equal(config.oneTimeMaxTtlSeconds, 60)
    assert.equal(config.oneTimeMaxAttempts, 3)
    assert.equal(config.shutdownGraceSeconds, 30)

    assert.throws(
      () =>
        loadConfig({
          REDIS_URL: 'http://x',
          LOCK_PREFIX: 'lock/',
          LOCK_RATE_LIMITS: '5/fortnight;0/second;x',
          LOCK_DEBUG_VIEWS: 'yes',
          EVENTS_PUBLIC: '1',
          SHUTDOWN_GRACE_SECONDS: '0',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.problems.length, 8)
        return true
      },
    )
  })

  it('parses lists of origins and proxies', () => {
    const { config } = loadConfig({
      CORS_ORIGINS: 'https://a.example.com, http://localhost:3000',
      TRUST_PROXY: '127.0.0.1,10.0.0.0/8,::1',
    })
    assert.deepEqual(config.corsOrigins, ['https://a.example.com', 'http://localhost:3000'])
    assert.deepEqual(config.trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1'])
  })
})

describe('.env file', () => {
  it('is read from the working directory, and the real environment wins', (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-env-'))
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    writeFileSync(
      path.join(dir, '.env'),
      'PORT=1234\nLOG_LEVEL=debug\n# comment\nAPP_SECRET="quoted value"\n',
    )
    const env = readEnvironment({ LOG_LEVEL: 'warn' }, dir)
    assert.equal(env.PORT, '1234')
    assert.equal(env.LOG_LEVEL, 'warn')
    assert.equal(env.APP_SECRET, 'quoted value')
  })

  it('is optional', () => {
    assert.deepEqual(readEnvironment({ A: 'b' }, '/nonexistent-dir'), { A: 'b' })
  })
})
