import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import type { Page } from 'playwright-core'

import { openServices } from '../helpers/app.js'
import { newIdentity } from '../helpers/http.js'
import {
  accessibilityViolations,
  launchBrowser,
  startServer,
  unexpected,
  watchProblems,
} from './harness.js'

const WIDTHS = [375, 1280] as const

/**
 * Every page of the app, in each of its states, at a phone's and a laptop's width: axe-core's
 * WCAG 2.1 AA rules (contrast, a name for every control, labels, landmarks, headings) find
 * nothing, and nothing is wider than the window.
 */
describe('accessibility of every page in Chromium', () => {
  for (const width of WIDTHS) {
    it(`meets WCAG 2.1 AA (axe-core) with no sideways scrolling at ${width} px`, async (t) => {
      const server = await startServer(t)
      const browser = await launchBrowser(t)
      const context = await browser.newContext({ viewport: { width, height: 800 } })
      const page = await context.newPage()
      const problems = watchProblems(page)
      page.on('dialog', (dialog) => void dialog.accept())
      const findings: string[] = []
      const check = async (state: string) => {
        await page.waitForLoadState('networkidle')
        for (const violation of await accessibilityViolations(page)) {
          findings.push(`${state}: ${violation}`)
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth)
        if (overflow > width) findings.push(`${state}: ${overflow} px wide`)
      }
      const visit = async (link: string) => {
        await page.goto('about:blank')
        await page.goto(link)
      }

      await page.goto(`${server.url}/app`)
      await check('share')
      await page.getByRole('button', { name: 'Create link' }).click()
      await page.getByText('Type or paste the secret to share.').waitFor()
      await check('share, empty secret')
      await page.locator('#secret').fill('correct horse battery staple')
      await page.locator('#passphrase').fill('blue whale')
      await page.getByRole('button', { name: 'Create link' }).click()
      const link = await page.locator('#link').inputValue()
      await check('link made')

      await visit(link)
      await page.getByRole('button', { name: 'Reveal secret' }).waitFor()
      await check('reveal, waiting')
      await page.locator('#passphrase').fill('wrong')
      await page.getByRole('button', { name: 'Reveal secret' }).click()
      await page.getByText(/Wrong passphrase/).waitFor()
      await check('reveal, wrong passphrase')
      await page.locator('#passphrase').fill('blue whale')
      await page.getByRole('button', { name: 'Reveal secret' }).click()
      await page.locator('#secret').waitFor()
      await check('reveal, shown')
      await page.getByRole('button', { name: 'Clear from page' }).click()
      await check('reveal, cleared')
      await visit(link)
      await page.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
      await check('reveal, gone')

      const { email } = newIdentity(`a11y${width}`)
      await page.goto(`${server.url}/app/vault`)
      await page.getByRole('heading', { name: 'Sign in to your vault' }).waitFor()
      await check('vault, sign in')
      await page.getByRole('button', { name: 'I need an account' }).click()
      await page.locator('#email').fill(email)
      await page.locator('#password').fill('long enough password')
      await check('vault, register')
      await page.getByRole('button', { name: 'Register and sign in' }).click()
      await page.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
      const { services } = openServices(server)
      await services.accounts.setRole(email, 'admin', { clientIp: '', userAgent: 'a11y' })
      await page.reload()
      await page.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
      await check('vault, no secrets')
      await page.locator('#new-name').fill('staging database')
      await page.locator('#new-value').fill('postgres://app:s3cret@db/app')
      await page.getByRole('button', { name: 'Save secret' }).click()
      await page.getByRole('heading', { name: /^staging database/ }).waitFor()
      await page.locator('#share-email').fill(email)
      await page.getByRole('button', { name: 'Share with person' }).click()
      await page.getByRole('alert').waitFor()
      await check('vault, a secret open, a refusal shown')

      await tab(page, 'Groups')
      await page.locator('#group-name').fill('platform team')
      await page.getByRole('button', { name: 'Create group' }).click()
      await page.getByRole('button', { name: 'Open platform team' }).click()
      await page.getByRole('heading', { name: 'Members' }).waitFor()
      await check('vault, groups')

      await tab(page, 'Audit log')
      await page.getByText(/Verified All/).waitFor()
      await page.getByText(/Proven|not in a signed checkpoint/).waitFor()
      await check('vault, audit')

      assert.deepEqual(findings, [])
      assert.deepEqual(unexpected(problems, [400, 401, 404, 422]), [])
    })
  }
})

const tab = (page: Page, name: string) =>
  page.getByRole('list', { name: 'Vault sections' }).getByRole('button', { name }).click()
