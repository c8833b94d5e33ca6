import { useState } from 'preact/hooks'

import { post, vault } from '../api.js'
import { Alert, Field } from '../ui.js'
import type { User } from './types.js'
import { useAction } from './use-action.js'

/** Sign in, or register and then sign in. The session token goes into an HttpOnly cookie. */
export function SignIn(props: { onSignedIn: (user: User) => void }) {
  const [mode, setMode] = useState<'in' | 'up'>('in')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const { error, busy, run, setError } = useAction()

  const submit = async (event: Event) => {
    event.preventDefault()
    if (email === '' || password === '') {
      setError('Enter your e-mail and password.')
      return
    }
    if (mode === 'up') {
      const made = await run(() => vault('POST', '/auth/register', { email, password }), [201])
      if (made === undefined) return
    }
    const signedIn = await run(() => post<{ user: User }>('/session/login', { email, password }))
    if (signedIn !== undefined) props.onSignedIn(signedIn.user)
  }

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="sign-title">
      <h1 id="sign-title">{mode === 'in' ? 'Sign in to your vault' : 'Create an account'}</h1>
      {error === '' ? null : <Alert kind="error">{error}</Alert>}
      <Field
        id="email"
        label="E-mail"
        type="email"
        autocomplete="username"
        value={email}
        onValue={setEmail}
      />
      <Field
        id="password"
        label="Password"
        hint={mode === 'up' ? 'At least 8 characters.' : undefined}
        type="password"
        autocomplete={mode === 'in' ? 'current-password' : 'new-password'}
        value={password}
        onValue={setPassword}
      />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {mode === 'in' ? 'Sign in' : 'Register and sign in'}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setMode(mode === 'in' ? 'up' : 'in')
            setError('')
          }}
        >
          {mode === 'in' ? 'I need an account' : 'I already have an account'}
        </button>
      </div>
    </form>
  )
}
