import { useEffect, useState } from 'preact/hooks'

import { vault } from '../api.js'
import { CopyButton, Field } from '../ui.js'
import { SharePanel } from './share-panel.js'
import type { OwnSecret, SharedSecret } from './types.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

interface Listed {
  secret_id: number
  name: string
  permission: 'owner' | 'read-only' | 'read-write'
}

/** Own secrets and those shared with the caller; one of them open at a time. */
export function Secrets(props: { onSignedOut: () => void }) {
  const [own, setOwn] = useState<OwnSecret[]>([])
  const [shared, setShared] = useState<SharedSecret[]>([])
  const [open, setOpen] = useState<number | undefined>()
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const action = useAction(props.onSignedOut)

  const reload = async () => {
    const mine = await action.run(() => vault<{ data: OwnSecret[] }>('GET', '/user/secrets'))
    if (mine !== undefined) setOwn(mine.data)
    const theirs = await action.run(() => vault<{ data: SharedSecret[] }>('GET', '/secrets/shared'))
    if (theirs !== undefined) setShared(theirs.data)
  }
  useEffect(() => {
    void reload()
  }, [])

  const create = async (event: Event) => {
    event.preventDefault()
    if (name === '' || value === '') {
      action.setError('Give the secret a name and a value.')
      return
    }
    const made = await action.run(
      () => vault<{ secret_id: number }>('POST', '/secrets', { name, encrypted_data: value }),
      [201],
    )
    if (made === undefined) return
    setName('')
    setValue('')
    await reload()
    setOpen(made.secret_id)
  }

  const list = (title: string, id: string, rows: Listed[], empty: string) => (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="plain">
          {rows.map((row) => (
            <li key={row.secret_id}>
              <span>
                {row.name} <span class="badge">{row.permission}</span>
              </span>
              <button
                type="button"
                class="secondary small"
                aria-expanded={open === row.secret_id}
                onClick={() => setOpen(open === row.secret_id ? undefined : row.secret_id)}
              >
                {open === row.secret_id ? 'Close' : 'Open'}{' '}
                <span class="visually-hidden">{row.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )

  return (
    <>
      <Outcome action={action} />
      {open === undefined ? null : (
        <SecretPanel
          key={open}
          id={open}
          onClose={() => setOpen(undefined)}
          onChanged={reload}
          onSignedOut={props.onSignedOut}
        />
      )}
      {list('My secrets', 'own-title', own, 'No secrets yet: add one below.')}
      {list('Shared with me', 'shared-title', shared, 'Nobody has shared a secret with you yet.')}
      <form class="card" onSubmit={create} noValidate aria-labelledby="new-title">
        <h2 id="new-title">New secret</h2>
        <SecretFields prefix="new" name={name} value={value} onName={setName} onValue={setValue} />
        <button type="submit" disabled={action.busy}>
          Save secret
        </button>
      </form>
    </>
  )
}

/** One secret: its value, editing (owner or read-write), deleting and sharing (owner). */
function SecretPanel(props: {
  id: number
  onClose: () => void
  onChanged: () => Promise<void>
  onSignedOut: () => void
}) {
  const [secret, setSecret] = useState<OwnSecret | undefined>()
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const action = useAction(props.onSignedOut)

  useEffect(() => {
    void action
      .run(() => vault<{ data: OwnSecret }>('GET', '/secrets', { secret_id: props.id }))
      .then((read) => {
        if (read === undefined) return
        setSecret(read.data)
        setName(read.data.name)
        setValue(read.data.encrypted_data)
      })
  }, [props.id])

  const save = async (event: Event) => {
    event.preventDefault()
    const saved = await action.run(
      () => vault('PATCH', '/secrets', { secret_id: props.id, name, encrypted_data: value }),
      [200],
      'Saved.',
    )
    if (saved !== undefined) await props.onChanged()
  }
  const remove = async () => {
    if (!confirm(`Delete “${secret?.name ?? ''}” and every share of it?`)) return
    const gone = await action.run(
      () => vault('DELETE', '/secrets', { secret_id: props.id }),
      [200, 204],
    )
    if (gone === undefined) return
    await props.onChanged()
    props.onClose()
  }

  const canWrite = secret !== undefined && secret.permission !== 'read-only'
  return (
    <section class="card" aria-labelledby="panel-title">
      <h2 id="panel-title" tabIndex={-1} ref={(node) => node?.focus()}>
        {secret === undefined ? 'Secret' : secret.name}{' '}
        {secret === undefined ? null : <span class="badge">{secret.permission}</span>}
      </h2>
      <Outcome action={action} />
      {secret === undefined ? null : canWrite ? (
        <form onSubmit={save} noValidate>
          <SecretFields
            prefix="edit"
            name={name}
            value={value}
            onName={setName}
            onValue={setValue}
          />
          <div class="actions">
            <button type="submit" disabled={action.busy}>
              Save changes
            </button>
            <CopyButton text={value} label="Copy value" />
            {secret.permission === 'owner' ? (
              <button type="button" class="danger" onClick={remove}>
                Delete secret
              </button>
            ) : null}
            <button type="button" class="secondary" onClick={props.onClose}>
              Close
            </button>
          </div>
        </form>
      ) : (
        <>
          <pre class="secret" aria-label="Value">
            {secret.encrypted_data}
          </pre>
          <div class="actions">
            <CopyButton text={secret.encrypted_data} label="Copy value" />
            <button type="button" class="secondary" onClick={props.onClose}>
              Close
            </button>
          </div>
        </>
      )}
      {secret?.permission === 'owner' ? (
        <SharePanel secretId={props.id} onSignedOut={props.onSignedOut} />
      ) : null}
    </section>
  )
}

/** The two fields of a secret, for a new one and for editing one. */
function SecretFields(props: {
  prefix: string
  name: string
  value: string
  onName: (name: string) => void
  onValue: (value: string) => void
}) {
  return (
    <>
      <Field
        id={`${props.prefix}-name`}
        label="Name"
        value={props.name}
        onValue={props.onName}
        autocomplete="off"
      />
      <label for={`${props.prefix}-value`}>Value</label>
      <textarea
        id={`${props.prefix}-value`}
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        spellcheck={false}
      />
    </>
  )
}
