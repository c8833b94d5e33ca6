/**
 * What a data-key rotation costs (part of `npm run bench`): a SQLite store with many sealed vault
 * secrets is served while `strongroom keys rotate` re-seals them. Reports the re-seal rate and the
 * p99 of authenticated reads during the re-seal beside the same reads idle.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { buildApp } from '../src/app.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/db/connect.js'
import { openStoreKeyring } from '../src/domain/keys/open.js'
import { secretAad } from '../src/domain/vault/secret-sealing.js'
import { load } from './lib/load.js'
import { ROOT, serve } from './lib/server.js'

const SECRETS = Number(process.env.RESEAL_SECRETS ?? 50_000)

export interface ResealBench {
  ciphertexts: number
  perSecond: number
  idleP99: number
  duringP99: number
  failures: number
}

async function seed(env: Record<string, string>): Promise<{ email: string; password: string }> {
  const { config } = loadConfig(env)
  const owner = { email: 'bench-owner@example.com', password: 'bench-owner-password' }
  const app = await buildApp(config)
  try {
    const registered = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: owner,
    })
    if (registered.statusCode !== 201) throw new Error(registered.body)
  } finally {
    await app.close()
  }
  const store = openStore(config.database)
  try {
    const keyring = await openStoreKeyring(config, store, systemClock)
    const at = new Date().toISOString()
    for (let start = 1; start <= SECRETS; start += 500) {
      const rows = []
      for (let id = start; id < Math.min(start + 500, SECRETS + 1); id += 1) {
        rows.push({
          id,
          owner_id: 1,
          name_sealed: keyring.envelope.seal(Buffer.from(`name ${id}`), secretAad(id, 'name')),
          data_sealed: keyring.envelope.seal(Buffer.from(`value ${id}`), secretAad(id, 'data')),
          created_at: at,
          updated_at: at,
        })
      }
      await store.db.insertInto('vault_secrets').values(rows).execute()
    }
  } finally {
    await store.close()
  }
  return owner
}

export async function benchReseal(options: {
  appSecret: string
  port: number
  durationSeconds: number
  log: (message: string) => void
}): Promise<ResealBench> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-reseal-'))
  const env = { DATA_DIR: dataDir, APP_SECRET: options.appSecret, LOG_LEVEL: 'warn' }
  try {
    const owner = await seed(env)
    const server = await serve(['dist/cli.js', 'serve'], env, options.port, '/readyz')
    try {
      const login = await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(owner),
      })
      const { token } = (await login.json()) as { token: string }
      const reads = (seconds: number) =>
        load({
          url: server.url,
          connections: 8,
          durationSeconds: seconds,
          requests: [
            {
              method: 'GET',
              path: '/v1/secrets',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ secret_id: 1 + Math.floor(SECRETS / 2) }),
            },
          ],
        })
      options.log(`re-seal: idle reads for ${options.durationSeconds} s`)
      const idle = await reads(options.durationSeconds)

      options.log(`re-seal: rotating ${SECRETS * 2} ciphertexts while reads run`)
      const rotate = spawn(process.execPath, ['dist/cli.js', 'keys', 'rotate'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      rotate.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
      const resealing = new Promise<void>((resolve) => {
        rotate.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8')
          if (stderr.includes('re-sealed ')) resolve()
        })
      })
      const exited = new Promise<number | null>((resolve) => rotate.once('exit', resolve))
      await resealing
      const during = await reads(options.durationSeconds)
      const code = await exited
      if (code !== 0) throw new Error(`keys rotate failed: ${stderr}`)
      const match = /Re-sealed (\d+) ciphertext\(s\) in [\d.]+s \((\d+)\/s\)/.exec(stdout)
      return {
        ciphertexts: Number(match?.[1] ?? 0),
        perSecond: Number(match?.[2] ?? 0),
        idleP99: idle.p99,
        duringP99: during.p99,
        failures: idle.failures + during.failures,
      }
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
