import { useEffect, useState } from 'preact/hooks'

import { explain, post, Unreachable, UNREACHABLE_MESSAGE } from '../api.js'
import { decryptFromLink } from '../crypto/link-cipher.js'
import { Alert, CopyButton, Field, mount } from '../ui.js'

/**
 * The reveal page. Loading it (what link previewers and mail scanners do) changes nothing: only
 * the button below asks the server for the ciphertext, and that POST is what burns the secret.
 * The key to open it is read from the #fragment, which never leaves this browser.
 */
type State =
  | { step: 'waiting'; from: string | null }
  | { step: 'shown'; secret: string }
  | { step: 'cleared' }
  | { step: 'gone'; why: string }

const linkKey = decodeURIComponent(location.pathname.split('/').pop() ?? '')
const fragmentKey = location.hash.slice(1)
const needsPassphrase = /^[0-9a-f]{32}$/i.test(linkKey)
const wellFormed = /^[A-Za-z0-9_-]{43}$/.test(fragmentKey)

const GONE: State = {
  step: 'gone',
  why: 'This secret was already viewed, or it expired. Ask the sender for a new link.',
}

const focusOnMount = (node: HTMLElement | null) => node?.focus()

function Reveal() {
  const [state, setState] = useState<State>(
    wellFormed
      ? { step: 'waiting', from: null }
      : {
          step: 'gone',
          why: 'This link is incomplete: the part after # is missing or damaged. Ask for the whole link.',
        },
  )
  const [passphrase, setPassphrase] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  // Before the click: is the link still live, and who sent it? Looking burns nothing.
  useEffect(() => {
    if (!wellFormed) return
    post<{ from?: string | null }>(`/links/${encodeURIComponent(linkKey)}/about`).then(
      (answer) => {
        if (answer.status === 200) {
          setState((now) =>
            now.step === 'waiting' ? { step: 'waiting', from: answer.body.from ?? null } : now,
          )
        } else if (answer.status === 404) {
          setState((now) => (now.step === 'waiting' ? GONE : now))
        } else {
          setError(explain(answer))
        }
      },
      () => setError(UNREACHABLE_MESSAGE),
    )
  }, [])

  const reveal = async (event: Event) => {
    event.preventDefault()
    setError('')
    if (needsPassphrase && passphrase === '') {
      setError('Enter the passphrase you were given.')
      return
    }
    setBusy(true)
    try {
      const answer = await post<{ ciphertext?: string; attempts_left?: number }>(
        `/links/${encodeURIComponent(linkKey)}/reveal`,
        needsPassphrase ? { passphrase } : {},
      )
      if (answer.status === 200 && typeof answer.body.ciphertext === 'string') {
        // The secret is gone from the server now; drop the key from the address bar as well.
        history.replaceState(null, '', location.pathname)
        try {
          setState({
            step: 'shown',
            secret: await decryptFromLink(answer.body.ciphertext, fragmentKey),
          })
        } catch {
          setState({
            step: 'gone',
            why: 'The secret could not be decrypted: the link was changed or cut short. It has been deleted from the server.',
          })
        }
      } else if (answer.status === 401 && typeof answer.body.attempts_left === 'number') {
        const left = answer.body.attempts_left
        if (left <= 0) {
          setState({
            step: 'gone',
            why: 'Wrong passphrase. That was the last attempt: the secret has been destroyed.',
          })
        } else {
          setError(
            `Wrong passphrase. ${left} ${left === 1 ? 'attempt' : 'attempts'} left before the secret is destroyed.`,
          )
          setPassphrase('')
        }
      } else if (answer.status === 404) {
        setState(GONE)
      } else {
        setError(explain(answer))
      }
    } catch (failure) {
      setError(
        failure instanceof Unreachable
          ? UNREACHABLE_MESSAGE
          : 'Something went wrong in this browser.',
      )
    } finally {
      setBusy(false)
    }
  }

  switch (state.step) {
    case 'gone':
      return (
        <section class="card" aria-labelledby="gone">
          <h1 id="gone" tabIndex={-1} ref={focusOnMount}>
            Already viewed or expired
          </h1>
          <Alert kind="info">{state.why}</Alert>
          <a class="button" href="/app">
            Share a secret of your own
          </a>
        </section>
      )
    case 'cleared':
      return (
        <section class="card" aria-labelledby="cleared">
          <h1 id="cleared" tabIndex={-1} ref={focusOnMount}>
            Cleared
          </h1>
          <Alert kind="ok">
            The secret was removed from this page. It is deleted from the server and cannot be
            opened again.
          </Alert>
        </section>
      )
    case 'shown':
      return (
        <section class="card" aria-labelledby="shown">
          <h1 id="shown" tabIndex={-1} ref={focusOnMount}>
            Your secret
          </h1>
          <p class="lead">
            This was its only viewing: it is now deleted from the server. Copy it before you leave.
          </p>
          <pre class="secret" id="secret" aria-label="Secret">
            {state.secret}
          </pre>
          <div class="actions">
            <CopyButton text={state.secret} label="Copy secret" class="primary" />
            <button type="button" class="danger" onClick={() => setState({ step: 'cleared' })}>
              Clear from page
            </button>
          </div>
        </section>
      )
    case 'waiting':
      return (
        <form class="card" onSubmit={reveal} noValidate aria-labelledby="waiting">
          <h1 id="waiting">A secret is waiting for you</h1>
          <p class="lead">
            {state.from === null ? (
              'Someone shared a secret with you through Strongroom.'
            ) : (
              <>
                <strong class="sender">{state.from}</strong> shared a secret with you through
                Strongroom.
              </>
            )}{' '}
            It can be viewed <strong>once</strong>: after you reveal it, it is deleted.
          </p>
          {error === '' ? null : <Alert kind="error">{error}</Alert>}
          {needsPassphrase ? (
            <Field
              id="passphrase"
              label="Passphrase"
              hint="The sender gave it to you separately."
              type="password"
              autocomplete="off"
              value={passphrase}
              onValue={setPassphrase}
            />
          ) : null}
          <button type="submit" disabled={busy}>
            {busy ? 'Revealing…' : 'Reveal secret'}
          </button>
        </form>
      )
  }
}

mount('share', <Reveal />)
