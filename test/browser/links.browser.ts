import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { Browser, Page } from 'playwright-core'

import { manualClock } from '../helpers/clock.js'
import { DIALECTS } from '../helpers/dialects.js'
import type { TestDialect } from '../helpers/dialects.js'
import { dumpSchema, scanBytes, scanDirectory } from '../helpers/scan.js'
import {
  launchBrowser,
  readLog,
  recordRequests,
  startServer,
  unexpected,
  watchProblems,
} from './harness.js'
import type { RunningServer } from './harness.js'

const marker = (): string => `plain-${randomBytes(9).toString('hex')}`

/** Fills in the create form and returns the link the page shows. */
async function createLink(page: Page, server: RunningServer, secret: string, passphrase = '') {
  await page.goto(`${server.url}/app`)
  await page.locator('#secret').fill(secret)
  if (passphrase !== '') await page.locator('#passphrase').fill(passphrase)
  await page.getByRole('button', { name: 'Create link' }).click()
  const link = await page.locator('#link').inputValue()
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/app\/s\/[0-9a-f-]+#[A-Za-z0-9_-]{43}$/)
  return link
}

const heading = (page: Page) => page.locator('h1').first().innerText()

async function openReveal(browser: Browser, link: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems = watchProblems(page)
  await page.goto(link)
  return { context, page, problems }
}

for (const dialect of DIALECTS) {
  describe(`one-time links in Chromium (${dialect})`, () => {
    const start = (t: TestContext, clock = manualClock(new Date())) =>
      startServer(t, { dialect: dialect satisfies TestDialect, overrides: { clock } })

    it('creates a link in one browser and reveals it once in another, and only the browsers ever see the secret or its key', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const sender = await browser.newContext()
      const sent = recordRequests(sender)
      const page = await sender.newPage()
      const senderProblems = watchProblems(page)
      const secret = marker()
      const link = await createLink(page, server, secret)
      const fragmentKey = link.split('#')[1] ?? ''

      // Link previewers, mail scanners and chat unfurlers fetch the URL: nothing burns.
      for (const agent of [
        'curl/8.5.0',
        'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
        'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Outlook-SafeLinks',
        'TelegramBot (like TwitterBot)',
      ]) {
        for (const method of ['GET', 'HEAD']) {
          const response = await fetch(link, { method, headers: { 'user-agent': agent } })
          assert.equal(response.status, 200, `${method} ${agent}`)
        }
      }

      const receiver = await browser.newContext()
      await receiver.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
      const received = recordRequests(receiver)
      const reader = await receiver.newPage()
      const readerProblems = watchProblems(reader)
      await reader.goto(link)
      assert.equal(await heading(reader), 'A secret is waiting for you')
      await reader.reload()
      assert.equal(await heading(reader), 'A secret is waiting for you')
      await reader.getByRole('button', { name: 'Reveal secret' }).click()
      assert.equal(await reader.locator('#secret').innerText(), secret)
      assert.ok(!reader.url().includes('#'), 'the key leaves the address bar once read')

      await reader.getByRole('button', { name: 'Copy secret' }).click()
      await reader.getByText('Copied.').waitFor()
      assert.equal(await reader.evaluate(() => navigator.clipboard.readText()), secret)
      await reader.getByRole('button', { name: 'Clear from page' }).click()
      assert.equal(await heading(reader), 'Cleared')
      assert.ok(!(await reader.content()).includes(secret))

      // Opened again, the page asks (burning nothing) and says at once that it is gone.
      const again = await receiver.newPage()
      await again.goto(link)
      await again.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
      assert.match(await again.locator('.alert').innerText(), /already viewed, or it expired/)

      const requests = [...sent, ...received]
      assert.ok(
        requests.some(
          (request) =>
            request.url.endsWith('/app/api/links') && request.body.includes('"ciphertext":"v1.'),
        ),
      )
      assert.ok(requests.some((request) => request.url.endsWith('/reveal')))
      for (const request of requests) {
        for (const part of [request.url, request.headers, request.body]) {
          assert.ok(!part.includes(secret), `plaintext in ${request.url}`)
          assert.ok(!part.includes(fragmentKey), `key in ${request.url}`)
        }
      }

      await server.stop()
      const log = readLog(server)
      assert.match(log, /request completed/)
      assert.deepEqual(scanBytes('server log', Buffer.from(log), [secret, fragmentKey]), [])
      const { findings } = scanDirectory(server.dataDir, [secret, fragmentKey])
      assert.deepEqual(findings, [])
      if (server.config.database.kind === 'postgres') {
        const rows = await dumpSchema(server.config.database.url)
        assert.deepEqual(scanBytes('database', rows, [secret, fragmentKey]), [])
      }
      assert.deepEqual([...senderProblems.messages, ...readerProblems.messages], [])
    })

    it('counts wrong passphrases down in the page until the budget is spent', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const page = await (await browser.newContext()).newPage()
      const link = await createLink(page, server, marker(), 'correct horse')
      assert.match(link, /\/app\/s\/[0-9a-f]{32}#/)

      const { page: reader, problems } = await openReveal(browser, link)
      const reveal = reader.getByRole('button', { name: 'Reveal secret' })
      await reveal.click()
      await reader.getByText('Enter the passphrase you were given.').waitFor()
      for (let left = server.config.oneTimeMaxAttempts - 1; left >= 1; left -= 1) {
        await reader.locator('#passphrase').fill('wrong')
        await reveal.click()
        const noun = left === 1 ? 'attempt' : 'attempts'
        await reader.getByText(`Wrong passphrase. ${left} ${noun} left`).waitFor()
      }
      await reader.locator('#passphrase').fill('wrong')
      await reveal.click()
      await reader.getByText('That was the last attempt: the secret has been destroyed.').waitFor()
      assert.equal(await heading(reader), 'Already viewed or expired')

      const secret = marker()
      const second = await createLink(page, server, secret, 'correct horse')
      const { page: other } = await openReveal(browser, second)
      await other.locator('#passphrase').fill('wrong')
      await other.getByRole('button', { name: 'Reveal secret' }).click()
      await other.getByText('Wrong passphrase. 4 attempts left').waitFor()
      await other.locator('#passphrase').fill('correct horse')
      await other.getByRole('button', { name: 'Reveal secret' }).click()
      assert.equal(await other.locator('#secret').innerText(), secret)
      assert.deepEqual(unexpected(problems, [401]), [])
    })

    it('says a link expired once its time is up', async (t) => {
      const clock = manualClock(new Date())
      const server = await start(t, clock)
      const browser = await launchBrowser(t)
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${server.url}/app`)
      await page.locator('#secret').fill(marker())
      await page.locator('#ttl').selectOption({ label: '5 minutes' })
      await page.getByRole('button', { name: 'Create link' }).click()
      const link = await page.locator('#link').inputValue()
      const { page: reader } = await openReveal(browser, link)
      await reader.getByRole('button', { name: 'Reveal secret' }).waitFor()
      clock.advance(5 * 60_000 + 1)
      // Expired while the page was open: the click says so.
      await reader.getByRole('button', { name: 'Reveal secret' }).click()
      await reader.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
      // Opened after expiry: the page says so before any click.
      const { page: late } = await openReveal(browser, link)
      await late.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
    })

    it('explains throttling, a broken link and a server that is down, in the page', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const page = await (await browser.newContext()).newPage()
      const link = await createLink(page, server, marker())

      const { page: broken } = await openReveal(browser, link.replace(/#.*/, '#short'))
      assert.equal(await heading(broken), 'Already viewed or expired')
      assert.match(await broken.locator('.alert').innerText(), /link is incomplete/)

      // Spend this address's budget for link calls (bounded: one window's worth).
      const { page: reader } = await openReveal(browser, link)
      for (let i = 0; i < 40; i += 1) {
        const response = await fetch(`${server.url}/app/api/links/${'0'.repeat(32)}/reveal`, {
          method: 'POST',
          headers: { origin: server.url, 'content-type': 'application/json' },
          body: JSON.stringify({ passphrase: 'x' }),
        })
        if (response.status === 429) break
      }
      await reader.getByRole('button', { name: 'Reveal secret' }).click()
      await reader.getByText(/Too many attempts\. Please wait \d+ seconds/).waitFor()

      await server.stop()
      await reader.getByRole('button', { name: 'Reveal secret' }).click()
      await reader.getByText('The server cannot be reached.', { exact: false }).waitFor()
    })

    it('works from the keyboard alone, with a visible focus, at 375 px', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const context = await browser.newContext({ viewport: { width: 375, height: 740 } })
      const page = await context.newPage()
      const problems = watchProblems(page)
      await page.goto(`${server.url}/app`)
      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement as HTMLElement
          const style = getComputedStyle(element)
          return {
            id: element.id,
            text: element.innerText,
            outline: style.outlineStyle,
            width: parseFloat(style.outlineWidth),
          }
        })
      const tabTo = async (wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean) => {
        for (let i = 0; i < 15; i += 1) {
          await page.keyboard.press('Tab')
          const now = await focused()
          assert.notEqual(now.outline, 'none', `focus visible on ${now.id || now.text}`)
          assert.ok(now.width >= 2)
          if (wanted(now)) return
        }
        assert.fail('never reached')
      }
      await tabTo((f) => f.id === 'secret')
      const secret = marker()
      await page.keyboard.type(secret)
      await tabTo((f) => f.text === 'Create link')
      await page.keyboard.press('Enter')
      const link = await page.locator('#link').inputValue()
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375))

      await page.goto(link)
      await tabTo((f) => f.text === 'Reveal secret')
      await page.keyboard.press('Enter')
      assert.equal(await page.locator('#secret').innerText(), secret)
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375))
      assert.deepEqual(problems.messages, [])
    })
  })
}
