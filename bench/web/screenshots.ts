// Screenshots of every page of the web app at 375 px and 1280 px wide, for the README
// (docs/screenshots/*.png). `npx tsx bench/web/screenshots.ts` after `npm run build`.
import path from 'node:path'

import type { Page } from 'playwright-core'

import { startBench } from './server.js'

const OUT = path.join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const WIDTHS = [375, 1280] as const

const bench = await startBench()
const shot = async (page: Page, name: string, width: number) => {
  await page.waitForLoadState('networkidle')
  await page.screenshot({ path: path.join(OUT, `${name}-${width}.png`), fullPage: true })
}

try {
  for (const width of WIDTHS) {
    const context = await bench.browser.newContext({ viewport: { width, height: 800 } })
    const page = await context.newPage()
    page.on('dialog', (dialog) => void dialog.accept())

    await page.goto(`${bench.url}/app`)
    await page.locator('#secret').fill('correct horse battery staple')
    await shot(page, 'share', width)
    await page.locator('#passphrase').fill('blue whale')
    await page.getByRole('button', { name: 'Create link' }).click()
    const link = await page.locator('#link').inputValue()
    await shot(page, 'share-link', width)

    await page.goto(link)
    await page.getByRole('button', { name: 'Reveal secret' }).waitFor()
    await shot(page, 'reveal-waiting', width)
    await page.locator('#passphrase').fill('wrong')
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await page.getByText(/Wrong passphrase/).waitFor()
    await shot(page, 'reveal-wrong-passphrase', width)
    await page.locator('#passphrase').fill('blue whale')
    await page.getByRole('button', { name: 'Reveal secret' }).click()
    await page.locator('#secret').waitFor()
    await shot(page, 'reveal-shown', width)
    // Same path, new fragment: leave first, or the browser only scrolls. Read, it is gone.
    await page.goto('about:blank')
    await page.goto(link)
    await page.getByRole('heading', { name: 'Already viewed or expired' }).waitFor()
    await shot(page, 'reveal-gone', width)

    const email = `screenshot-${width}@example.com`
    await page.goto(`${bench.url}/app/vault`)
    await page.getByRole('button', { name: 'I need an account' }).click()
    await page.locator('#email').fill(email)
    await page.locator('#password').fill('long enough password')
    await shot(page, 'vault-register', width)
    await page.getByRole('button', { name: 'Register and sign in' }).click()
    await page.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
    await bench.withServices((services) =>
      services.accounts.setRole(email, 'admin', { clientIp: '', userAgent: 'screenshots' }),
    )
    await page.reload()
    await page.getByRole('heading', { name: 'Vault', exact: true }).waitFor()
    for (const [name, value] of [
      ['staging database', 'postgres://app:s3cret@db/app'],
      ['deploy key', 'ssh-ed25519 AAAAC3Nza…'],
    ] as const) {
      await page.locator('#new-name').fill(name)
      await page.locator('#new-value').fill(value)
      await page.getByRole('button', { name: 'Save secret' }).click()
      await page.getByRole('heading', { name: new RegExp(`^${name}`) }).waitFor()
    }
    await shot(page, 'vault-secrets', width)

    await page.getByRole('button', { name: 'Groups' }).click()
    await page.locator('#group-name').fill(`platform team ${width}`)
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.getByRole('button', { name: `Open platform team ${width}` }).click()
    await page.getByRole('heading', { name: 'Members' }).waitFor()
    await shot(page, 'vault-groups', width)

    await page.getByRole('button', { name: 'Audit log' }).click()
    await page.getByText(/Verified/).waitFor()
    await page.getByText(/Proven|not in a signed checkpoint/).waitFor()
    await shot(page, 'vault-audit', width)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in to your vault' }).waitFor()
    await shot(page, 'vault-sign-in', width)
    await context.close()
  }
  console.log(`screenshots written to ${path.relative(process.cwd(), OUT)}`)
} finally {
  await bench.stop()
}
