import { useEffect, useState } from 'preact/hooks'

import { post, vault } from '../api.js'
import { Field } from '../ui.js'
import type { Group, User } from './types.js'
import { userIdByEmail } from './find-user.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

interface Member {
  id: number
  email: string | null
  username: string | null
}

/** The caller's groups; creating, renaming, deleting, and members (the creator decides). */
export function Groups(props: { user: User; onSignedOut: () => void }) {
  const [groups, setGroups] = useState<Group[]>([])
  const [open, setOpen] = useState<number | undefined>()
  const [name, setName] = useState('')
  const action = useAction(props.onSignedOut)

  const reload = async () => {
    const mine = await action.run(() => post<{ groups: Group[] }>('/groups/mine'))
    if (mine !== undefined) setGroups(mine.groups)
  }
  useEffect(() => {
    void reload()
  }, [])

  const create = async (event: Event) => {
    event.preventDefault()
    if (name.length < 5) {
      action.setError('A group name has at least 5 characters.')
      return
    }
    const made = await action.run(
      () => vault('POST', '/groups', { group_name: name }),
      [201],
      `Group “${name}” created.`,
    )
    if (made === undefined) return
    setName('')
    await reload()
  }

  return (
    <>
      <section class="card" aria-labelledby="groups-title">
        <h2 id="groups-title">My groups</h2>
        <Outcome action={action} />
        {groups.length === 0 ? (
          <p class="muted">You are in no group yet.</p>
        ) : (
          <ul class="plain">
            {groups.map((group) => (
              <li key={group.id}>
                <span>
                  {group.name}{' '}
                  {group.creator_id === props.user.id ? <span class="badge">creator</span> : null}
                </span>
                <button
                  type="button"
                  class="secondary small"
                  aria-expanded={open === group.id}
                  onClick={() => setOpen(open === group.id ? undefined : group.id)}
                >
                  {open === group.id ? 'Close' : 'Open'}{' '}
                  <span class="visually-hidden">{group.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {open === undefined ? null : (
        <GroupPanel
          key={open}
          id={open}
          user={props.user}
          onChanged={reload}
          onClose={() => setOpen(undefined)}
          onSignedOut={props.onSignedOut}
        />
      )}
      <form class="card" onSubmit={create} noValidate aria-labelledby="new-group-title">
        <h2 id="new-group-title">New group</h2>
        <Field
          id="group-name"
          label="Group name"
          hint="5 to 100 characters."
          value={name}
          onValue={setName}
          autocomplete="off"
        />
        <button type="submit" disabled={action.busy}>
          Create group
        </button>
      </form>
    </>
  )
}

function GroupPanel(props: {
  id: number
  user: User
  onChanged: () => Promise<void>
  onClose: () => void
  onSignedOut: () => void
}) {
  const [group, setGroup] = useState<
    { name: string; creator_id: number; members: Member[] } | undefined
  >()
  const [email, setEmail] = useState('')
  const [rename, setRename] = useState('')
  const action = useAction(props.onSignedOut)

  const load = async () => {
    const read = await action.run(() =>
      vault<{ Data: { name: string; creator_id: number; members: Member[] } }>('GET', '/groups', {
        group_id: props.id,
      }),
    )
    if (read !== undefined) {
      setGroup(read.Data)
      setRename(read.Data.name)
    }
  }
  useEffect(() => {
    void load()
  }, [props.id])

  const member = async (verb: 'add_user' | 'remove_user', userId?: number) => {
    let id = userId
    if (id === undefined) {
      id = await userIdByEmail(action, email)
      if (id === undefined) return
    }
    const done = await action.run(
      () => vault('POST', `/groups/${verb}`, { group_id: props.id, user_id: id }),
      [200, 201, 204],
      verb === 'add_user' ? 'Member added.' : 'Member removed.',
    )
    if (done === undefined) return
    setEmail('')
    await load()
  }
  const saveName = async (event: Event) => {
    event.preventDefault()
    const done = await action.run(
      () => vault('PATCH', '/groups', { group_id: props.id, new_group_name: rename }),
      [200],
      'Renamed.',
    )
    if (done !== undefined) await Promise.all([load(), props.onChanged()])
  }
  const remove = async () => {
    if (!confirm(`Delete the group “${group?.name ?? ''}”? Every share made through it ends.`))
      return
    const done = await action.run(
      () => vault('DELETE', '/groups', { group_id: props.id }),
      [200, 204],
    )
    if (done === undefined) return
    await props.onChanged()
    props.onClose()
  }

  const creator = group?.creator_id === props.user.id
  return (
    <section class="card" aria-labelledby="group-panel-title">
      <h2 id="group-panel-title" tabIndex={-1} ref={(node) => node?.focus()}>
        {group?.name ?? 'Group'}
      </h2>
      <Outcome action={action} />
      <h3>Members</h3>
      <ul class="plain">
        {(group?.members ?? []).map((m) => (
          <li key={m.id}>
            <span>{m.email ?? m.username ?? `user ${m.id}`}</span>
            {creator && m.id !== props.user.id ? (
              <button
                type="button"
                class="danger small"
                onClick={() => member('remove_user', m.id)}
              >
                Remove <span class="visually-hidden">{m.email ?? m.username}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {creator ? (
        <>
          <div class="row">
            <div>
              <Field
                id="member-email"
                label="Add a member (e-mail)"
                type="email"
                value={email}
                onValue={setEmail}
                autocomplete="off"
              />
            </div>
            <div class="shrink">
              <button type="button" disabled={action.busy} onClick={() => member('add_user')}>
                Add member
              </button>
            </div>
          </div>
          <form onSubmit={saveName} noValidate class="row">
            <div>
              <Field
                id="rename"
                label="Rename"
                value={rename}
                onValue={setRename}
                autocomplete="off"
              />
            </div>
            <div class="shrink">
              <button type="submit" class="secondary" disabled={action.busy}>
                Save name
              </button>
            </div>
          </form>
          <div class="actions">
            <button type="button" class="danger" onClick={remove}>
              Delete group
            </button>
            <button type="button" class="secondary" onClick={props.onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      )}
    </section>
  )
}
