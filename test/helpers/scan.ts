import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { withClient } from './dialects.js'

/**
 * Every form in which a marker value could sit in a file or a log while still being readable or
 * cheaply matched against a guess: its bytes (UTF-8 and UTF-16), base64, and the md5, sha1 and
 * sha256 hex of it.
 */
export function forbiddenForms(marker: string): Map<string, Buffer> {
  const forms = new Map<string, Buffer>([
    ['utf8', Buffer.from(marker, 'utf8')],
    ['utf16le', Buffer.from(marker, 'utf16le')],
    ['base64', Buffer.from(Buffer.from(marker).toString('base64'))],
    ['base64url', Buffer.from(Buffer.from(marker).toString('base64url'))],
  ])
  for (const algorithm of ['md5', 'sha1', 'sha256']) {
    const hex = createHash(algorithm).update(marker).digest('hex')
    forms.set(`${algorithm} hex`, Buffer.from(hex))
    forms.set(`${algorithm} HEX`, Buffer.from(hex.toUpperCase()))
  }
  return forms
}

export interface Finding {
  where: string
  marker: string
  form: string
}

/** Searches `bytes` for every form of every marker. */
export function scanBytes(where: string, bytes: Buffer, markers: readonly string[]): Finding[] {
  const findings: Finding[] = []
  for (const marker of markers) {
    for (const [form, needle] of forbiddenForms(marker)) {
      if (bytes.includes(needle)) findings.push({ where, marker, form })
    }
  }
  return findings
}

/** Every regular file under `dir`, byte by byte (database, WAL, shared memory, key file…). */
export function scanDirectory(
  dir: string,
  markers: readonly string[],
): {
  files: string[]
  findings: Finding[]
} {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
  const findings = files.flatMap((file) => scanBytes(file, readFileSync(file), markers))
  return { files, findings }
}

/** Every value in every table of a PostgreSQL schema, as raw bytes (bytea stays binary). */
export async function dumpSchema(url: string): Promise<Buffer> {
  return withClient(async (client) => {
    const tables = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = current_schema()`,
    )
    const chunks: Buffer[] = []
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select * from "${table_name}"`)
      for (const row of rows.rows as Record<string, unknown>[]) {
        for (const value of Object.values(row)) {
          chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(String(value)))
        }
      }
    }
    return Buffer.concat(chunks)
  }, url)
}
