import { useState } from 'preact/hooks'

import { explain, post, Unreachable, UNREACHABLE_MESSAGE } from '../api.js'
import { encryptForLink } from '../crypto/link-cipher.js'
import { Alert, CopyButton, Field, mount } from '../ui.js'

/** What the body limit leaves room for once the ciphertext is base64url-encoded. */
const MAX_SECRET_BYTES = 16 * 1024

const EXPIRIES: readonly (readonly [seconds: number, label: string])[] = [
  [5 * 60, '5 minutes'],
  [60 * 60, '1 hour'],
  [24 * 60 * 60, '1 day'],
  [7 * 24 * 60 * 60, '7 days'],
]

interface Created {
  link: string
  expiresAt: string
  passphrase: boolean
  /** Who the reveal page will say it is from: set when the maker is signed in. */
  from: string | null
}

function CreateLink() {
  const [secret, setSecret] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [ttl, setTtl] = useState(String(EXPIRIES[2]?.[0] ?? 86_400))
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<Created | undefined>()

  const submit = async (event: Event) => {
    event.preventDefault()
    setError('')
    if (secret === '') {
      setError('Type or paste the secret to share.')
      return
    }
    if (new TextEncoder().encode(secret).length > MAX_SECRET_BYTES) {
      setError('The secret is too long: at most 16 KB.')
      return
    }
    setBusy(true)
    try {
      const { ciphertext, fragmentKey } = await encryptForLink(secret)
      const answer = await post<{
        key: string
        expires_at: string
        passphrase: boolean
        from?: string | null
      }>('/links', {
        ciphertext,
        ttl_seconds: Number(ttl),
        ...(passphrase === '' ? {} : { passphrase }),
      })
      if (answer.status !== 200) {
        setError(explain(answer))
        return
      }
      setCreated({
        link: `${location.origin}/app/s/${answer.body.key}#${fragmentKey}`,
        expiresAt: answer.body.expires_at,
        passphrase: answer.body.passphrase,
        from: answer.body.from ?? null,
      })
      setSecret('')
      setPassphrase('')
    } catch (failure) {
      setError(
        failure instanceof Unreachable
          ? UNREACHABLE_MESSAGE
          : 'Your browser could not encrypt the secret.',
      )
    } finally {
      setBusy(false)
    }
  }

  if (created !== undefined) {
    return (
      <section class="card" aria-labelledby="made">
        <h1 id="made" tabIndex={-1} ref={(node) => node?.focus()}>
          Your one-time link
        </h1>
        <p class="lead">
          Send this link to the person. It opens once, then it is gone. It expires{' '}
          {new Date(created.expiresAt).toLocaleString()}.
          {created.passphrase
            ? ' Tell them the passphrase another way (a call, a different chat).'
            : ''}
          {created.from === null
            ? ''
            : ` Its page will say it is from ${created.from}, because you are signed in.`}
        </p>
        <label for="link">Link</label>
        <input
          id="link"
          readOnly
          value={created.link}
          class="link-out"
          onFocus={(e) => e.currentTarget.select()}
        />
        <div class="actions">
          <CopyButton text={created.link} label="Copy link" class="primary" />
          <button type="button" class="secondary" onClick={() => setCreated(undefined)}>
            Share another secret
          </button>
        </div>
        <p class="muted">
          The secret was encrypted in this browser. The key is the part after # in the link; it
          never reaches the server, so the server cannot read the secret.
        </p>
      </section>
    )
  }

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="title">
      <h1 id="title">Share a secret once</h1>
      <p class="lead">
        Paste a password or any secret. Your browser encrypts it; you get a link that can be opened
        once. No account needed.
      </p>
      {error === '' ? null : <Alert kind="error">{error}</Alert>}
      <label for="secret">
        Secret
        <span class="hint" id="secret-hint">
          At most 16 KB. Only the person with the link can read it, once.
        </span>
      </label>
      <textarea
        id="secret"
        value={secret}
        aria-describedby="secret-hint"
        autocomplete="off"
        spellcheck={false}
        required
        onInput={(event) => setSecret(event.currentTarget.value)}
      />
      <div class="row">
        <div>
          <Field
            id="passphrase"
            label="Passphrase (optional)"
            hint="Asked before the secret is shown; a few wrong tries destroy it."
            type="password"
            autocomplete="new-password"
            value={passphrase}
            onValue={setPassphrase}
          />
        </div>
        <div>
          <label for="ttl">
            Expires after
            <span class="hint" id="ttl-hint">
              Unread secrets are deleted then.
            </span>
          </label>
          <select
            id="ttl"
            value={ttl}
            aria-describedby="ttl-hint"
            onChange={(e) => setTtl(e.currentTarget.value)}
          >
            {EXPIRIES.map(([seconds, label]) => (
              <option key={seconds} value={String(seconds)}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Encrypting…' : 'Create link'}
      </button>
    </form>
  )
}

mount('share', <CreateLink />)
