import { render } from 'preact'
import type { ComponentChildren, InputHTMLAttributes, VNode } from 'preact'
import { useState } from 'preact/hooks'

import './style.css'

type Section = 'share' | 'vault'

/** Renders a page's content inside the common frame, into the HTML page's #root. */
export function mount(section: Section, content: VNode): void {
  const root = document.getElementById('root')
  if (root !== null) render(<Layout section={section}>{content}</Layout>, root)
}

/** The frame of every page: a skip link, the header with where you are, and the main region. */
export function Layout(props: { section: Section; children: ComponentChildren }) {
  const current = (section: Section) => (props.section === section ? 'page' : undefined)
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="bar">
          <a class="brand" href="/app">
            Strongroom
          </a>
          <nav aria-label="Main">
            <a href="/app" aria-current={current('share')}>
              Share once
            </a>
            <a href="/app/vault" aria-current={current('vault')}>
              Vault
            </a>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  )
}

/** A message the page must say out loud: errors interrupt, the rest waits its turn. */
export function Alert(props: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`alert ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  )
}

/** A labelled text input; the hint is tied to it so screen readers read both. */
export function Field(
  props: {
    id: string
    label: string
    hint?: string
    value: string
    onValue: (value: string) => void
  } & Omit<InputHTMLAttributes, 'value' | 'id' | 'label'>,
) {
  const { id, label, hint, value, onValue, ...rest } = props
  return (
    <>
      <label for={id}>
        {label}
        {hint === undefined ? null : (
          <span class="hint" id={`${id}-hint`}>
            {hint}
          </span>
        )}
      </label>
      <input
        id={id}
        value={value}
        onInput={(event) => {
          onValue(event.currentTarget.value)
        }}
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        {...rest}
      />
    </>
  )
}

/** Copies text to the clipboard, and says whether it worked. */
export function CopyButton(props: { text: string; label: string; class?: string }) {
  const [done, setDone] = useState<string>('')
  return (
    <>
      <button
        type="button"
        class={props.class ?? 'secondary'}
        onClick={() => {
          navigator.clipboard.writeText(props.text).then(
            () => {
              setDone('Copied.')
            },
            () => {
              setDone('Copying is not allowed here: select the text and copy it by hand.')
            },
          )
        }}
      >
        {props.label}
      </button>
      <span role="status" class="muted">
        {' '}
        {done}
      </span>
    </>
  )
}
