import { useEffect, useState } from 'preact/hooks'

import { post, Unreachable, UNREACHABLE_MESSAGE } from '../api.js'
import { Alert, mount } from '../ui.js'
import { Audit } from '../vault/audit.js'
import { Groups } from '../vault/groups.js'
import { Secrets } from '../vault/secrets.js'
import { SignIn } from '../vault/sign-in.js'
import type { User } from '../vault/types.js'

type Tab = 'secrets' | 'groups' | 'audit'
const TABS: readonly (readonly [Tab, string])[] = [
  ['secrets', 'Secrets'],
  ['groups', 'Groups'],
  ['audit', 'Audit log'],
]

function Vault() {
  const [user, setUser] = useState<User | null | undefined>()
  const [tab, setTab] = useState<Tab>('secrets')
  const [error, setError] = useState('')

  useEffect(() => {
    post<{ user: User | null }>('/session/me').then(
      (answer) => setUser(answer.status === 200 ? answer.body.user : null),
      (failure: unknown) => {
        setUser(null)
        setError(
          failure instanceof Unreachable
            ? UNREACHABLE_MESSAGE
            : 'Something went wrong in this browser.',
        )
      },
    )
  }, [])

  const signedOut = () => setUser(null)
  const logout = async () => {
    try {
      await post('/session/logout')
      setUser(null)
    } catch {
      setError(UNREACHABLE_MESSAGE)
    }
  }

  if (user === undefined) return <p class="muted">Loading…</p>
  if (user === null) {
    return (
      <>
        {error === '' ? null : <Alert kind="error">{error}</Alert>}
        <SignIn onSignedIn={setUser} />
      </>
    )
  }
  return (
    <>
      <div class="row">
        <h1>Vault</h1>
        <div class="who">
          <span class="muted">
            Signed in as {user.email ?? user.username}
            {user.role === 'admin' ? ' (administrator)' : ''}
          </span>{' '}
          <button type="button" class="secondary small" onClick={logout}>
            Sign out
          </button>
        </div>
      </div>
      {error === '' ? null : <Alert kind="error">{error}</Alert>}
      <ul class="tabs" aria-label="Vault sections">
        {TABS.map(([id, label]) => (
          <li key={id}>
            <button type="button" aria-pressed={tab === id} onClick={() => setTab(id)}>
              {label}
            </button>
          </li>
        ))}
      </ul>
      {tab === 'secrets' ? <Secrets onSignedOut={signedOut} /> : null}
      {tab === 'groups' ? <Groups user={user} onSignedOut={signedOut} /> : null}
      {tab === 'audit' ? <Audit user={user} onSignedOut={signedOut} /> : null}
    </>
  )
}

mount('vault', <Vault />)
