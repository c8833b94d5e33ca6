import { useEffect, useState } from 'preact/hooks'

import { post, vault } from '../api.js'
import { Field } from '../ui.js'
import type { User } from './types.js'
import { AuditCheck } from './audit-check.js'
import type { SealedEventFields } from './audit-proof.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

type AuditEvent = SealedEventFields

interface Verification {
  ok: boolean
  checked: number
  signed_size: number
  checkpoints: number
  unsealed: number
  first_break?: { seq: number; message: string }
}

const PAGE = 50

/** Audit events (one's own; administrators: everyone's), filtered, newest first. */
export function Audit(props: { user: User; onSignedOut: () => void }) {
  const [events, setEvents] = useState<AuditEvent[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [type, setType] = useState('')
  const [actor, setActor] = useState('')
  const [since, setSince] = useState('')
  const [until, setUntil] = useState('')
  const [verification, setVerification] = useState<Verification | undefined>()
  const action = useAction(props.onSignedOut)
  const admin = props.user.role === 'admin'

  const load = async (from?: string) => {
    const query = new URLSearchParams({ limit: String(PAGE) })
    if (type !== '') query.set('type', type.replace(/\s+/g, ''))
    if (admin && actor !== '') query.set('actor', actor)
    if (since !== '') query.set('since', new Date(`${since}T00:00:00`).toISOString())
    if (until !== '') query.set('until', new Date(`${until}T23:59:59.999`).toISOString())
    if (from !== undefined) query.set('cursor', from)
    const page = await action.run(() =>
      vault<{ events: AuditEvent[]; next_cursor: string | null }>(
        'GET',
        `/audit?${query.toString()}`,
      ),
    )
    if (page === undefined) return
    setEvents(from === undefined ? page.events : [...events, ...page.events])
    setCursor(page.next_cursor)
  }
  const verify = async () => {
    const result = await action.run(() => post<Verification>('/audit/verify'))
    if (result !== undefined) setVerification(result)
  }
  useEffect(() => {
    void load()
    if (admin) void verify()
  }, [])

  return (
    <>
      {admin ? (
        <section class="card" aria-labelledby="verify-title">
          <h2 id="verify-title">Audit log integrity (checked by the server)</h2>
          {verification === undefined ? (
            <p class="muted">Checking…</p>
          ) : verification.ok ? (
            <p>
              <span class="badge ok">Verified</span> All {verification.checked} sealed events are
              intact; {verification.checkpoints} signed checkpoints verified, the newest covering{' '}
              {verification.signed_size} events.
            </p>
          ) : (
            <p>
              <span class="badge bad">Broken</span> The log breaks at event{' '}
              {verification.first_break?.seq}: {verification.first_break?.message}
            </p>
          )}
          <button type="button" class="secondary" onClick={verify} disabled={action.busy}>
            Verify again
          </button>
        </section>
      ) : null}
      <form
        class="card"
        noValidate
        aria-labelledby="audit-title"
        onSubmit={(event) => {
          event.preventDefault()
          void load()
        }}
      >
        <h2 id="audit-title">{admin ? 'Audit events (everyone)' : 'My audit events'}</h2>
        <div class="row">
          <div>
            <Field
              id="audit-type"
              label="Event types"
              hint="e.g. vault.* or auth.login,auth.logout"
              value={type}
              onValue={setType}
            />
          </div>
          {admin ? (
            <div>
              <Field
                id="audit-actor"
                label="Actor (user id)"
                hint="Empty: everyone."
                inputMode="numeric"
                value={actor}
                onValue={setActor}
              />
            </div>
          ) : null}
          <div>
            <Field id="audit-since" label="From" type="date" value={since} onValue={setSince} />
          </div>
          <div>
            <Field id="audit-until" label="Until" type="date" value={until} onValue={setUntil} />
          </div>
        </div>
        <button type="submit" disabled={action.busy}>
          Apply filters
        </button>
      </form>
      <Outcome action={action} />
      <AuditCheck events={events} onSignedOut={props.onSignedOut} />
      <section class="card" aria-label="Events">
        {events.length === 0 ? (
          <p class="muted">No events match.</p>
        ) : (
          <div
            class="table-wrap"
            tabIndex={0}
            role="region"
            aria-label="Audit events, scrolls sideways"
          >
            <table>
              <caption class="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>{new Date(event.occurred_at).toLocaleString()}</td>
                    <td>{event.type}</td>
                    <td>{event.outcome}</td>
                    <td>{event.actor_id ?? '—'}</td>
                    <td>
                      {event.target_type === null
                        ? '—'
                        : `${event.target_type} ${event.target_id ?? ''}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor === null ? null : (
          <button
            type="button"
            class="secondary"
            onClick={() => load(cursor)}
            disabled={action.busy}
          >
            Load older events
          </button>
        )}
      </section>
    </>
  )
}
