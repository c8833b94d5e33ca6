import { useEffect, useState } from 'preact/hooks'

import { post, vault } from '../api.js'
import { Field } from '../ui.js'
import type { Group } from './types.js'
import { userIdByEmail } from './find-user.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

type Permission = 'read-only' | 'read-write'

interface Share {
  kind: 'user' | 'group'
  id: number
  name: string | null
  permission: Permission
}

/**
 * Sharing one secret with a person (by e-mail) or a group, the list of who holds it now, and
 * revoking any of them. Secrets v1 finds a person by exact e-mail only and has no list of a
 * secret's shares, so the list comes from the app's own `/secrets/shares`.
 */
export function SharePanel(props: { secretId: number; onSignedOut: () => void }) {
  const [email, setEmail] = useState('')
  const [groupId, setGroupId] = useState('')
  const [groups, setGroups] = useState<Group[]>([])
  const [permission, setPermission] = useState<Permission>('read-only')
  const [shares, setShares] = useState<Share[] | undefined>()
  const action = useAction(props.onSignedOut)
  const lister = useAction(props.onSignedOut)

  const reload = async () => {
    const listed = await lister.run(() =>
      post<{ shares: Share[] }>('/secrets/shares', { secret_id: props.secretId }),
    )
    if (listed !== undefined) setShares(listed.shares)
  }

  useEffect(() => {
    void reload()
    void post<{ groups: Group[] }>('/groups/mine').then(
      (answer) => {
        if (answer.status === 200) setGroups(answer.body.groups)
      },
      () => undefined,
    )
  }, [])

  const withUser = async () => {
    const userId = await userIdByEmail(action, email)
    if (userId === undefined) return
    const body = { secret_id: props.secretId, user_id: userId, permission }
    const done = await action.run(
      () => vault('POST', '/secrets/share/user', body),
      [200, 201, 204],
      `Shared with ${email} (${permission}).`,
    )
    if (done !== undefined) await reload()
  }

  const withGroup = async () => {
    if (groupId === '') {
      action.setError('Choose a group.')
      return
    }
    const body = { secret_id: props.secretId, group_id: Number(groupId), permission }
    const name = groups.find((group) => String(group.id) === groupId)?.name ?? 'the group'
    const done = await action.run(
      () => vault('POST', '/secrets/share/group', body),
      [200, 201, 204],
      `Shared with ${name} (${permission}).`,
    )
    if (done !== undefined) await reload()
  }

  const revoke = async (share: Share) => {
    const name = nameOf(share)
    const done = await action.run(
      () =>
        share.kind === 'user'
          ? vault('DELETE', '/secrets/share/user', {
              secret_id: props.secretId,
              user_id: share.id,
            })
          : vault('DELETE', '/secrets/share/group', {
              secret_id: props.secretId,
              group_id: share.id,
            }),
      [200, 201, 204],
      `${name} no longer has access.`,
    )
    if (done !== undefined) await reload()
  }

  return (
    <fieldset class="card">
      <legend>Share</legend>
      <Outcome action={action} />
      <h3 id="shares-title">Who has access</h3>
      <Outcome action={lister} />
      {shares === undefined ? (
        <p class="muted">Loading…</p>
      ) : shares.length === 0 ? (
        <p class="muted">Only you. Share it below.</p>
      ) : (
        <ul class="plain" aria-labelledby="shares-title">
          {shares.map((share) => (
            <li key={`${share.kind}-${share.id}`}>
              <span>
                {nameOf(share)}{' '}
                <span class="badge">{share.kind === 'user' ? 'person' : 'group'}</span>{' '}
                <span class="muted">
                  {share.permission === 'read-write' ? 'read and write' : 'read only'}
                </span>
              </span>
              <button
                type="button"
                class="danger small"
                disabled={action.busy}
                onClick={() => revoke(share)}
              >
                Revoke <span class="visually-hidden">{nameOf(share)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>Share with more</h3>
      <label for="share-permission">Permission</label>
      <select
        id="share-permission"
        value={permission}
        onChange={(e) => setPermission(e.currentTarget.value as Permission)}
      >
        <option value="read-only">Read only</option>
        <option value="read-write">Read and write</option>
      </select>
      <div class="row">
        <div>
          <Field
            id="share-email"
            label="Person (e-mail)"
            type="email"
            value={email}
            onValue={setEmail}
            autocomplete="off"
          />
        </div>
        <div class="actions shrink">
          <button type="button" disabled={action.busy} onClick={withUser}>
            Share with person
          </button>
        </div>
      </div>
      <div class="row">
        <div>
          <label for="share-group">Group</label>
          <select
            id="share-group"
            value={groupId}
            onChange={(e) => setGroupId(e.currentTarget.value)}
          >
            <option value="">Choose a group…</option>
            {groups.map((group) => (
              <option key={group.id} value={String(group.id)}>
                {group.name}
              </option>
            ))}
          </select>
        </div>
        <div class="actions shrink">
          <button type="button" disabled={action.busy} onClick={withGroup}>
            Share with group
          </button>
        </div>
      </div>
    </fieldset>
  )
}

const nameOf = (share: Share): string =>
  share.name ?? (share.kind === 'user' ? `user ${share.id}` : `group ${share.id}`)
