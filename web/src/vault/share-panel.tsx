import { useEffect, useState } from 'preact/hooks'

import { post, vault } from '../api.js'
import { Field } from '../ui.js'
import type { Group } from './types.js'
import { userIdByEmail } from './find-user.js'
import { Outcome } from './outcome.js'
import { useAction } from './use-action.js'

type Permission = 'read-only' | 'read-write'

/**
 * Sharing one secret with a person (by e-mail) or a group, and revoking it. Secrets v1 finds a
 * person by exact e-mail only, and keeps no list of a secret's shares to show, so revoking names
 * the person or group again.
 */
export function SharePanel(props: { secretId: number; onSignedOut: () => void }) {
  const [email, setEmail] = useState('')
  const [groupId, setGroupId] = useState('')
  const [groups, setGroups] = useState<Group[]>([])
  const [permission, setPermission] = useState<Permission>('read-only')
  const action = useAction(props.onSignedOut)

  useEffect(() => {
    void post<{ groups: Group[] }>('/groups/mine').then(
      (answer) => {
        if (answer.status === 200) setGroups(answer.body.groups)
      },
      () => undefined,
    )
  }, [])

  const withUser = async (verb: 'share' | 'revoke') => {
    const userId = await userIdByEmail(action, email)
    if (userId === undefined) return
    const body = { secret_id: props.secretId, user_id: userId }
    await action.run(
      () =>
        verb === 'share'
          ? vault('POST', '/secrets/share/user', { ...body, permission })
          : vault('DELETE', '/secrets/share/user', body),
      [200, 201, 204],
      verb === 'share' ? `Shared with ${email} (${permission}).` : `${email} no longer has access.`,
    )
  }

  const withGroup = async (verb: 'share' | 'revoke') => {
    if (groupId === '') {
      action.setError('Choose a group.')
      return
    }
    const body = { secret_id: props.secretId, group_id: Number(groupId) }
    const name = groups.find((group) => String(group.id) === groupId)?.name ?? 'the group'
    await action.run(
      () =>
        verb === 'share'
          ? vault('POST', '/secrets/share/group', { ...body, permission })
          : vault('DELETE', '/secrets/share/group', body),
      [200, 201, 204],
      verb === 'share' ? `Shared with ${name} (${permission}).` : `${name} no longer has access.`,
    )
  }

  return (
    <fieldset class="card">
      <legend>Share</legend>
      <Outcome action={action} />
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
          <button type="button" disabled={action.busy} onClick={() => withUser('share')}>
            Share with person
          </button>
          <button
            type="button"
            class="danger"
            disabled={action.busy}
            onClick={() => withUser('revoke')}
          >
            Revoke person
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
          <button type="button" disabled={action.busy} onClick={() => withGroup('share')}>
            Share with group
          </button>
          <button
            type="button"
            class="danger"
            disabled={action.busy}
            onClick={() => withGroup('revoke')}
          >
            Revoke group
          </button>
        </div>
      </div>
    </fieldset>
  )
}
