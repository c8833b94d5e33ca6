import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  /** The whole message as the server received it: headers, blank line, body. */
  raw: string
}

export interface TestSmtpServer {
  /** `SMTP_URL` and `MAIL_FROM` for a Strongroom that sends here. */
  env: Record<string, string>
  received: ReceivedMail[]
  /** The first mail to `to` not yet taken, waiting for it to arrive (no timeout of its own). */
  nextMailTo(to: string): Promise<ReceivedMail>
}

/**
 * A real SMTP server in this process (the `smtp-server` library), on a free loopback port, that
 * keeps every message it is given. Strongroom talks to it over TCP exactly as to a production
 * relay; tests read what arrived.
 */
export async function startSmtpServer(t: TestContext): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = []
  const taken = new Set<ReceivedMail>()
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const from = session.envelope.mailFrom
        received.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        for (const wake of waiters.splice(0)) wake()
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  )
  const { port } = server.server.address() as AddressInfo

  const nextMailTo = async (to: string): Promise<ReceivedMail> => {
    for (;;) {
      const mail = received.find((m) => !taken.has(m) && m.to.includes(to))
      if (mail !== undefined) {
        taken.add(mail)
        return mail
      }
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }

  return {
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_FROM: 'Strongroom <noreply@strongroom.test>',
    },
    received,
    nextMailTo,
  }
}

/** The token a Strongroom mail carries: the line of its own after the instructions. */
export function tokenIn(mail: ReceivedMail): string {
  const body = mail.raw
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n')
  const match = /^([A-Za-z0-9_-]{32})\s*$/m.exec(body)
  if (match?.[1] === undefined) throw new Error('no token in the mail')
  return match[1]
}
