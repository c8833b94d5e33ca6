/**
 * The zero-knowledge part of a one-time link (docs/web-app.md "One-time links"): the browser
 * encrypts with AES-256-GCM under a fresh random key, sends only the ciphertext, and puts the key
 * in the link's #fragment, which browsers never send to a server. Format of the ciphertext:
 * `v1.<base64url 12-byte IV>.<base64url ciphertext+tag>`; the AAD names the format, so a
 * ciphertext of another purpose does not open as a link's.
 */
const AAD = new TextEncoder().encode('strongroom-link-v1')
const VERSION = 'v1'

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url')
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

const importKey = (raw: Uint8Array<ArrayBuffer>, usage: KeyUsage): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [usage])

/** Encrypts `plaintext`; returns the ciphertext for the server and the key for the fragment. */
export async function encryptForLink(
  plaintext: string,
): Promise<{ ciphertext: string; fragmentKey: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(32))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await importKey(raw, 'encrypt')
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: AAD },
    key,
    new TextEncoder().encode(plaintext),
  )
  const fragmentKey = toBase64Url(raw)
  raw.fill(0)
  return {
    ciphertext: `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`,
    fragmentKey,
  }
}

/** Opens a ciphertext with the fragment's key; throws when either is not what was sealed. */
export async function decryptFromLink(ciphertext: string, fragmentKey: string): Promise<string> {
  const [version, iv, body] = ciphertext.split('.')
  if (version !== VERSION || iv === undefined || body === undefined) throw new Error('format')
  const raw = fromBase64Url(fragmentKey)
  if (raw.length !== 32) throw new Error('key')
  const key = await importKey(raw, 'decrypt')
  raw.fill(0)
  const opened = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: AAD },
    key,
    fromBase64Url(body),
  )
  return new TextDecoder().decode(opened)
}
