import { useEffect, useState } from 'preact/hooks'

import { vault } from '../api.js'
import { importAuditKey, proveIncluded } from './audit-proof.js'
import type { CheckpointJson, InclusionJson, SealedEventFields } from './audit-proof.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

/** How many of the listed events are proven: each is one small request. */
const CHECKED = 5
const PENDING_RETRIES = 5

type Verdict =
  | { kind: 'ok'; proven: number; keyId: string; checkpoint: CheckpointJson }
  | { kind: 'pending' }
  | { kind: 'broken'; text: string }

/**
 * The audit log's integrity as this browser sees it, for everyone: the newest listed events are
 * proven to be in the signed log (audit-proof.ts), from the public key and the signed
 * checkpoints, without taking the server's word for it. Runs whenever the list changes.
 */
export function AuditCheck(props: { events: SealedEventFields[]; onSignedOut: () => void }) {
  const [verdict, setVerdict] = useState<Verdict | undefined>()
  const action = useAction(props.onSignedOut)

  const check = async () => {
    setVerdict(undefined)
    const published = await action.run(() =>
      vault<{ public_key: string }>('GET', '/audit/public-key'),
    )
    if (published === undefined) return
    let auditKey
    try {
      auditKey = await importAuditKey(published.public_key)
    } catch {
      setVerdict({ kind: 'broken', text: 'This browser cannot check Ed25519 signatures.' })
      return
    }
    // The newest signed checkpoint first: only events it covers can be proven, all against it.
    const latest = await action.run(
      () => vault<CheckpointJson>('GET', '/audit/checkpoint'),
      [200, 404],
    )
    if (latest === undefined) return
    const covered = 'tree_size' in latest ? latest.tree_size : 0
    const sealed = props.events
      .filter((event) => event.seq !== null && event.seq <= covered)
      .slice(0, CHECKED)
    if (sealed.length === 0) {
      setVerdict({ kind: 'pending' })
      return
    }
    for (const event of sealed) {
      const query = new URLSearchParams({ event: event.id, tree_size: String(covered) })
      const proof = await action.run(() =>
        vault<InclusionJson>('GET', `/audit/proof/inclusion?${query.toString()}`),
      )
      if (proof === undefined) return
      const result = await proveIncluded(auditKey, event, proof)
      if (!result.ok) {
        setVerdict({ kind: 'broken', text: `Event ${event.seq} (${event.type}): ${result.why}.` })
        return
      }
    }
    setVerdict({ kind: 'ok', proven: sealed.length, keyId: auditKey.keyId, checkpoint: latest })
  }

  useEffect(() => {
    if (props.events.length > 0) void check()
  }, [props.events])

  // A checkpoint is signed at least once a second: a pending check is worth a few retries.
  const [retries, setRetries] = useState(0)
  useEffect(() => {
    if (verdict?.kind !== 'pending' || retries >= PENDING_RETRIES) return undefined
    const timer = setTimeout(() => {
      setRetries(retries + 1)
      void check()
    }, 1500)
    return () => clearTimeout(timer)
  }, [verdict])

  if (props.events.length === 0) return null
  return (
    <section class="card" aria-labelledby="proof-title">
      <h2 id="proof-title">Checked in this browser</h2>
      <Outcome action={action} />
      <div role="status">
        {verdict === undefined ? (
          <p class="muted">Checking…</p>
        ) : verdict.kind === 'ok' ? (
          <p>
            <span class="badge ok">Proven</span> The newest {verdict.proven}{' '}
            {verdict.proven === 1 ? 'event' : 'events'} below {verdict.proven === 1 ? 'is' : 'are'}{' '}
            in the audit log: their hashes lead to the root of a checkpoint of{' '}
            {verdict.checkpoint.tree_size} events, issued{' '}
            {new Date(verdict.checkpoint.issued_at).toLocaleString()} and signed by key{' '}
            <code>{verdict.keyId}</code>. Compare that key id with the one your administrator
            published.
          </p>
        ) : verdict.kind === 'pending' ? (
          <p class="muted">
            The events below are not in a signed checkpoint yet. Check again in a moment.
          </p>
        ) : (
          <p>
            <span class="badge bad">Failed</span> {verdict.text}
          </p>
        )}
      </div>
      <button type="button" class="secondary" onClick={check} disabled={action.busy}>
        Check again
      </button>
    </section>
  )
}
