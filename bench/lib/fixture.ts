import { randomBytes } from 'node:crypto'

import pg from 'pg'

import type { Fixture } from '../scenarios.js'

async function json(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status} ${text}`)
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}

/** One user with a personal secret and a vault secret, and tokens for both surfaces. */
export async function prepareFixture(url: string): Promise<Fixture> {
  const tag = randomBytes(4).toString('hex')
  const user = {
    email: `bench-${tag}@example.com`,
    username: `bench${tag}`,
    password: 'bench-pw-1',
  }
  await json(`${url}/register`, { method: 'POST', body: JSON.stringify(user) })
  const { token } = (await json(`${url}/login`, {
    method: 'POST',
    body: JSON.stringify({ email: user.email, password: user.password }),
  })) as { token: string }
  const auth = { authorization: `Bearer ${token}` }
  await json(`${url}/set_secret`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ username: user.username, secret: 'benchmark-secret' }),
  })
  const created = (await json(`${url}/v1/secrets`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'bench', encrypted_data: 'YmVuY2htYXJr' }),
  })) as { secret_id: number }
  const writerTokens: string[] = []
  for (let i = 0; i < 64; i++) {
    const email = `writer-${tag}-${i}@example.com`
    await json(`${url}/v1/auth/register`, {
      method: 'POST',
      body: JSON.stringify({ email, password: 'bench-writer-pw' }),
    })
    const login = (await json(`${url}/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email, password: 'bench-writer-pw' }),
    })) as { token: string }
    writerTokens.push(login.token)
  }
  return { url, user, token, vaultSecretId: created.secret_id, writerTokens }
}

/** A fresh schema in `url`'s database, selected through search_path; dropped by `drop`. */
export async function postgresSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `sr_bench_${randomBytes(4).toString('hex')}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`create schema ${schema}`)
  await client.end()
  const scoped = new URL(url)
  scoped.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: scoped.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`drop schema if exists ${schema} cascade`)
      await c.end()
    },
  }
}
