import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'

import type { Browser, Page } from 'playwright-core'

import { openStore } from '../../src/db/connect.js'
import { eventLeafHash } from '../../src/domain/audit/leaf.js'
import { openServices } from '../helpers/app.js'
import { DIALECTS } from '../helpers/dialects.js'
import { newIdentity } from '../helpers/http.js'
import { launchBrowser, startServer, unexpected, watchProblems } from './harness.js'
import type { Problems, RunningServer } from './harness.js'

interface Person {
  page: Page
  email: string
  problems: Problems
}

/** A new browser context that registers a new account through the vault page and is signed in. */
async function register(browser: Browser, server: RunningServer): Promise<Person> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems = watchProblems(page)
  page.on('dialog', (dialog) => void dialog.accept())
  const { email } = newIdentity('web')
  await page.goto(`${server.url}/app/vault`)
  await page.getByRole('button', { name: 'I need an account' }).click()
  await page.locator('#email').fill(email)
  await page.locator('#password').fill('long enough password')
  await page.getByRole('button', { name: 'Register and sign in' }).click()
  await page.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
  return { page, email, problems }
}

const tab = (page: Page, name: string) =>
  page.getByRole('list', { name: 'Vault sections' }).getByRole('button', { name }).click()

/** Opens a secret from one of the lists by its name. */
async function openSecret(page: Page, list: 'My secrets' | 'Shared with me', name: string) {
  await page
    .getByRole('region', { name: list })
    .getByRole('listitem')
    .filter({ hasText: name })
    .getByRole('button', { name: /Open/ })
    .click()
}

async function sharedNames(page: Page): Promise<string[]> {
  await page.reload()
  await page.getByRole('heading', { name: 'Shared with me' }).waitFor()
  await page.waitForLoadState('networkidle')
  const items = page.getByRole('region', { name: 'Shared with me' }).getByRole('listitem')
  return (await items.allInnerTexts()).map((text) => text.split('\n')[0]?.split(' ')[0] ?? '')
}

for (const dialect of DIALECTS) {
  describe(`the vault in Chromium (${dialect})`, () => {
    const start = (t: TestContext) => startServer(t, { dialect })

    it('creates, edits and deletes secrets, and shares them between two people by e-mail and by group', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const alice = await register(browser, server)
      const bob = await register(browser, server)
      const a = alice.page

      await a.locator('#new-name').fill('database')
      await a.locator('#new-value').fill('first value')
      await a.getByRole('button', { name: 'Save secret' }).click()
      await a.getByRole('heading', { name: /^database/ }).waitFor()
      await a.locator('#edit-value').fill('second value')
      await a.getByRole('button', { name: 'Save changes' }).click()
      await a.getByText('Saved.').waitFor()

      // Read-only for Bob: he sees it, and cannot change it.
      await a.locator('#share-email').fill(bob.email)
      await a.getByRole('button', { name: 'Share with person' }).click()
      await a.getByText(`Shared with ${bob.email} (read-only).`).waitFor()
      assert.deepEqual(await sharedNames(bob.page), ['database'])
      await openSecret(bob.page, 'Shared with me', 'database')
      await bob.page.getByLabel('Value').getByText('second value').waitFor()
      assert.equal(await bob.page.getByRole('button', { name: 'Save changes' }).count(), 0)

      // Read-write: Bob edits, Alice sees his change.
      await a.locator('#share-permission').selectOption('read-write')
      await a.getByRole('button', { name: 'Share with person' }).click()
      await a.getByText(`Shared with ${bob.email} (read-write).`).waitFor()
      await sharedNames(bob.page)
      await openSecret(bob.page, 'Shared with me', 'database')
      await bob.page.locator('#edit-value').fill('bob was here')
      await bob.page.getByRole('button', { name: 'Save changes' }).click()
      await bob.page.getByText('Saved.').waitFor()
      await a.reload()
      await openSecret(a, 'My secrets', 'database')
      assert.equal(await a.locator('#edit-value').inputValue(), 'bob was here')

      // Alice sees who holds it, and revokes from that list: gone from Bob's.
      const access = a.getByRole('list', { name: 'Who has access' })
      const bobsShare = access.getByRole('listitem').filter({ hasText: bob.email })
      await bobsShare.getByText('read and write').waitFor()
      await access.getByRole('button', { name: `Revoke ${bob.email}` }).click()
      await a.getByText(`${bob.email} no longer has access.`).waitFor()
      await a.getByText('Only you. Share it below.').waitFor()
      assert.deepEqual(await sharedNames(bob.page), [])

      // Through a group: Alice makes one, adds Bob, shares with it; removing Bob ends it.
      await tab(a, 'Groups')
      await a.locator('#group-name').fill('ops team')
      await a.getByRole('button', { name: 'Create group' }).click()
      await a.getByText('Group “ops team” created.').waitFor()
      await a.getByRole('button', { name: 'Open ops team' }).click()
      await a.locator('#member-email').fill(bob.email)
      await a.getByRole('button', { name: 'Add member' }).click()
      await a.getByText('Member added.').waitFor()
      await a.getByRole('button', { name: `Remove ${bob.email}` }).waitFor()

      await tab(a, 'Secrets')
      await openSecret(a, 'My secrets', 'database')
      await a.locator('#share-group').selectOption({ label: 'ops team' })
      await a.getByRole('button', { name: 'Share with group' }).click()
      await a.getByText('Shared with ops team (read-only).').waitFor()
      await access.getByRole('button', { name: 'Revoke ops team' }).waitFor()
      assert.deepEqual(await sharedNames(bob.page), ['database'])

      await tab(a, 'Groups')
      await a.getByRole('button', { name: 'Open ops team' }).click()
      await a.getByRole('button', { name: `Remove ${bob.email}` }).click()
      await a.getByText('Member removed.').waitFor()
      assert.deepEqual(await sharedNames(bob.page), [])

      await tab(a, 'Secrets')
      await openSecret(a, 'My secrets', 'database')
      await a.getByRole('button', { name: 'Delete secret' }).click()
      await a.getByText('No secrets yet: add one below.').waitFor()

      for (const person of [alice, bob]) assert.deepEqual(unexpected(person.problems, []), [])
    })

    it('names the signed-in sender on the reveal page before anything is burnt', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const alice = await register(browser, server)
      const a = alice.page
      await a.goto(`${server.url}/app`)
      await a.locator('#secret').fill('from alice')
      await a.getByRole('button', { name: 'Create link' }).click()
      await a.getByText(`Its page will say it is from ${alice.email}`).waitFor()
      const link = await a.locator('#link').inputValue()

      const reader = await (await browser.newContext()).newPage()
      const problems = watchProblems(reader)
      for (let visit = 0; visit < 2; visit += 1) {
        await reader.goto(link)
        await reader.getByText(`${alice.email} shared a secret with you`).waitFor()
      }
      await reader.getByRole('button', { name: 'Reveal secret' }).click()
      assert.equal(await reader.locator('#secret').innerText(), 'from alice')
      // Opened again: the page says at once that it is gone, without a click. (Leave first:
      // the same path with a new fragment would only scroll.)
      await reader.goto('about:blank')
      await reader.goto(link)
      await reader.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
      assert.deepEqual(unexpected(problems, [404]), [])
      assert.deepEqual(unexpected(alice.problems, []), [])
    })

    it('shows one’s own audit events with filters, and administrators everyone’s and the chain’s status', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const alice = await register(browser, server)
      const a = alice.page
      await a.locator('#new-name').fill('token')
      await a.locator('#new-value').fill('v')
      await a.getByRole('button', { name: 'Save secret' }).click()
      await a.getByRole('heading', { name: /^token/ }).waitFor()

      await tab(a, 'Audit log')
      await a.getByRole('heading', { name: 'My audit events' }).waitFor()
      await a.getByRole('cell', { name: 'vault.secret.create' }).first().waitFor()
      assert.equal(await a.getByRole('heading', { name: 'Audit log integrity' }).count(), 0)
      await a.locator('#audit-type').fill('auth.login')
      await a.getByRole('button', { name: 'Apply filters' }).click()
      await a.getByRole('cell', { name: 'vault.secret.create' }).waitFor({ state: 'detached' })
      const types = await a.locator('tbody tr td:nth-child(2)').allInnerTexts()
      assert.ok(types.length > 0)
      assert.ok(
        types.every((type) => type === 'auth.login'),
        types.join(),
      )

      // The page proves the listed events itself, from the public key and a signed checkpoint.
      await a.locator('#audit-type').fill('vault.secret.create')
      await a.getByRole('button', { name: 'Apply filters' }).click()
      await a.getByText(/Proven The newest 1 event below is in the audit log/).waitFor()

      const { services } = openServices(server)
      await services.accounts.setRole(alice.email, 'admin', { clientIp: '', userAgent: 'test' })
      await a.reload()
      await tab(a, 'Audit log')
      await a.getByRole('heading', { name: 'Audit events (everyone)' }).waitFor()
      await a.getByText(/Verified All \d+ sealed events are intact/).waitFor()
      await a.locator('#audit-type').fill('vault.secret.create')
      await a.getByRole('button', { name: 'Apply filters' }).click()
      await a.getByText(/Proven The newest 1 event below is in the audit log/).waitFor()

      // A careful forger edits the event and its leaf hash: the browser's climb to the signed
      // root fails, whatever the server says.
      const store = openStore(server.config.database)
      try {
        const row = await store.db
          .selectFrom('audit_events')
          .selectAll()
          .where('type', '=', 'vault.secret.create')
          .where('seq', 'is not', null)
          .executeTakeFirstOrThrow()
        const forged = { ...row, seq: row.seq ?? 0, client_ip: '198.51.100.66' }
        await store.db
          .updateTable('audit_events')
          .set({ client_ip: forged.client_ip, leaf_hash: eventLeafHash(forged) })
          .where('id', '=', row.id)
          .execute()
      } finally {
        await store.close()
      }
      await a.getByRole('button', { name: 'Apply filters' }).click()
      await a
        .getByText(/Failed Event \d+ \(vault\.secret\.create\): its audit path does not lead/)
        .waitFor()
      await a.getByRole('button', { name: 'Verify again' }).click()
      await a.getByText(/Broken The log breaks at event \d+/).waitFor()

      assert.deepEqual(unexpected(alice.problems, []), [])
    })

    it('says a wrong password in the page, and logging out ends the session for every copy of the cookie', async (t) => {
      const server = await start(t)
      const browser = await launchBrowser(t)
      const alice = await register(browser, server)
      const a = alice.page
      const cookies = await a.context().cookies()
      const session = cookies.find((cookie) => cookie.name === 'strongroom_session')
      assert.ok(session !== undefined)
      assert.equal(session.httpOnly, true)
      assert.equal(session.sameSite, 'Strict')
      assert.equal(await a.evaluate(() => document.cookie), '', 'no script can read the session')

      const copy = await browser.newContext()
      await copy.addCookies([session])
      const other = await copy.newPage()
      await other.goto(`${server.url}/app/vault`)
      await other.getByRole('heading', { name: 'Vault', exact: true }).waitFor()

      await a.getByRole('button', { name: 'Sign out' }).click()
      await a.getByRole('heading', { name: 'Sign in to your vault' }).waitFor()
      await other.reload()
      await other.getByRole('heading', { name: 'Sign in to your vault' }).waitFor()

      await a.locator('#email').fill(alice.email)
      await a.locator('#password').fill('not the password')
      await a.getByRole('button', { name: 'Sign in' }).click()
      await a
        .getByRole('alert')
        .getByText(/not signed in|Invalid|credentials|password/i)
        .waitFor()
      await a.locator('#password').fill('long enough password')
      await a.getByRole('button', { name: 'Sign in' }).click()
      await a.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
      assert.deepEqual(unexpected(alice.problems, [401]), [])
    })
  })
}
