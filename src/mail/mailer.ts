import nodemailer from 'nodemailer'

import type { Config } from '../config.js'

/** One message to one address; the text is the whole body (no HTML, nothing remote to load). */
export interface MailMessage {
  to: string
  subject: string
  text: string
}

/**
 * Outgoing mail (password resets, welcome mail with its activation token). `configured` is false
 * when SMTP_URL and MAIL_FROM are unset: then `send` sends nothing and says so, and the callers
 * tell the operator in their log lines. Tokens travel only inside the message text, never in a
 * log line or an error message.
 */
export interface Mailer {
  readonly configured: boolean
  /** Resolves once the server accepted the message; rejects with a message naming no recipient data. */
  send(message: MailMessage): Promise<void>
  close(): void
}

export function createMailer(config: Config['mail']): Mailer {
  if (config === undefined) {
    return {
      configured: false,
      send: () => Promise.resolve(),
      close: () => undefined,
    }
  }
  const transport = nodemailer.createTransport(config.smtpUrl, { from: config.from })
  return {
    configured: true,
    async send(message) {
      try {
        await transport.sendMail(message)
      } catch (error) {
        // nodemailer's errors can quote the SMTP dialogue; only its code leaves this function.
        const code = (error as { code?: unknown }).code
        throw new Error(`mail was not accepted (${typeof code === 'string' ? code : 'error'})`)
      }
    },
    close: () => {
      transport.close()
    },
  }
}
