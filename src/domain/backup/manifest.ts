import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import { parseCheckpointJson } from '../../crypto/checkpoint.js'
import type { Database } from '../../db/schema.js'
import { VERSION } from '../../version.js'
import { readAuditHead } from '../audit/audit-head.js'
import type { AuditHead } from '../audit/audit-head.js'

/**
 * What a backup says about itself (README "Backup and restore"). Everything here is read from the
 * snapshot, not from the live store, so it describes exactly the bytes that follow. No key, no
 * secret: the key check value only lets a restore tell whether it was given the same root.
 */
export interface Manifest {
  format: 'strongroom-backup'
  formatVersion: 1
  createdAt: string
  strongroomVersion: string
  /** The migrations the snapshot's schema has applied, in order. */
  schema: { migrations: string[] }
  /** The key check value of the root its ciphertexts are sealed under (src/crypto/key-check.ts). */
  keyCheck: string
  /** Rows per table. */
  counts: Record<string, number>
  /** The audit log's sealed head, unsealed events and latest signed checkpoint. */
  audit: AuditHead
  /** The SQLite file that follows the manifest. */
  database: { bytes: number; sha256: string }
}

export type SnapshotFacts = Omit<
  Manifest,
  'format' | 'formatVersion' | 'createdAt' | 'strongroomVersion' | 'keyCheck' | 'database'
>

/** Reads the schema, the row counts and the audit head of a snapshot. */
export async function readSnapshotFacts(db: Kysely<Database>): Promise<SnapshotFacts> {
  const migrations = await sql<{
    name: string
  }>`select name from strongroom_migrations order by name`.execute(db)
  const tables = await sql<{
    name: string
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
    db,
  )
  const counts: Record<string, number> = {}
  for (const { name } of tables.rows) {
    const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(
      db,
    )
    counts[name] = result.rows[0]?.n ?? 0
  }
  return {
    schema: { migrations: migrations.rows.map((row) => row.name) },
    counts,
    audit: await readAuditHead(db),
  }
}

export function newManifest(
  facts: SnapshotFacts,
  keyCheck: string,
  database: Manifest['database'],
  now: Date,
): Manifest {
  return {
    format: 'strongroom-backup',
    formatVersion: 1,
    createdAt: now.toISOString(),
    strongroomVersion: VERSION,
    ...facts,
    keyCheck,
    database,
  }
}

/** The manifest in `value`, or a sentence saying what is wrong with it. */
export function parseManifest(value: unknown): Manifest | string {
  if (typeof value !== 'object' || value === null) return 'the manifest is not a JSON object'
  const m = value as Partial<Record<keyof Manifest, unknown>>
  if (m.format !== 'strongroom-backup' || m.formatVersion !== 1) {
    return 'the manifest is not a Strongroom backup manifest of format 1'
  }
  const database = m.database as Partial<Manifest['database']> | undefined
  const schema = m.schema as Partial<Manifest['schema']> | undefined
  const audit = m.audit as Partial<Manifest['audit']> | undefined
  const ok =
    typeof m.keyCheck === 'string' &&
    typeof m.createdAt === 'string' &&
    Array.isArray(schema?.migrations) &&
    schema.migrations.every((name) => typeof name === 'string') &&
    typeof m.counts === 'object' &&
    m.counts !== null &&
    Object.values(m.counts).every((n) => Number.isSafeInteger(n)) &&
    Number.isSafeInteger(audit?.treeSize) &&
    typeof audit?.rootHash === 'string' &&
    (audit.checkpoint === null || parseCheckpointJson(audit.checkpoint) !== undefined) &&
    Number.isSafeInteger(database?.bytes) &&
    typeof database?.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(database.sha256)
  return ok ? (value as Manifest) : 'the manifest is missing fields or has fields of the wrong type'
}
