import { createRequire } from 'node:module'

import type { Redis as RedisClient } from 'ioredis'

import type { CounterStore } from './counter-store.js'

/**
 * Counters in Redis, shared by every node pointed at it (README "Configuration": REDIS_URL).
 * Each counter is a hash {c: count, e: window end in ms}; the increment is one Lua script, so it
 * is atomic however many nodes count at once. Time comes from the caller's clock, like the other
 * stores, and the key expires shortly after its window so Redis forgets closed windows by itself.
 */

/**
 * The start both counting scripts share: read the window, and when it has ended open a new one
 * holding this first count, answering `opened` at once. Leaves `ends`, `now` and `window` set.
 */
const openWindow = (opened: string): string => `
local ends = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if ends <= now then
  ends = now + window
  redis.call('HSET', KEYS[1], 'c', 1, 'e', ends)
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return ${opened}
end`

/** Counts one in the current window; returns {count, window end}. */
const INCREMENT = `${openWindow('{1, ends}')}
return {redis.call('HINCRBY', KEYS[1], 'c', 1), ends}
`

/** Like INCREMENT, but counts only below ARGV[3]; returns {reserved (1|0), count, window end}. */
const RESERVE = `${openWindow('{1, 1, ends}')}
local count = tonumber(redis.call('HGET', KEYS[1], 'c'))
if count >= tonumber(ARGV[3]) then
  return {0, count, ends}
end
return {1, redis.call('HINCRBY', KEYS[1], 'c', 1), ends}
`

/** Takes one back from the window ending at ARGV[1], only if that window is still current. */
const RELEASE = `
local ends = redis.call('HGET', KEYS[1], 'e')
if tonumber(ends or '0') == tonumber(ARGV[1]) and tonumber(redis.call('HGET', KEYS[1], 'c')) > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
`

const PREFIX = 'strongroom:counter:'

export interface RedisCounterStore extends CounterStore {
  close(): Promise<void>
}

// ioredis is loaded only when REDIS_URL is set: a single node never pays its ~20 MB.
const loadRedis = (): typeof RedisClient =>
  (createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient }).Redis

export function createRedisCounterStore(url: string): RedisCounterStore {
  const Redis = loadRedis()
  const redis = new Redis(url, {
    // A request must not hang on a Redis that is gone: a command fails after one retry or two
    // seconds, and the request fails with it (closed, never silently unlimited).
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
  })
  // Connection errors surface on the commands that fail; an unhandled 'error' event would kill
  // the process.
  redis.on('error', () => undefined)

  return {
    async increment(key, windowMs, now) {
      const [count, ends] = (await redis.eval(
        INCREMENT,
        1,
        PREFIX + key,
        String(now.getTime()),
        String(windowMs),
      )) as [number, number]
      return { count, windowEndsAt: new Date(ends) }
    },
    async reserve(key, max, windowMs, now) {
      const [reserved, count, ends] = (await redis.eval(
        RESERVE,
        1,
        PREFIX + key,
        String(now.getTime()),
        String(windowMs),
        String(max),
      )) as [number, number, number]
      return { reserved: reserved === 1, count, windowEndsAt: new Date(ends) }
    },
    async release(key, windowEndsAt) {
      await redis.eval(RELEASE, 1, PREFIX + key, String(windowEndsAt.getTime()))
    },
    async reset(key) {
      await redis.del(PREFIX + key)
    },
    async close() {
      redis.disconnect()
      return Promise.resolve()
    },
  }
}
