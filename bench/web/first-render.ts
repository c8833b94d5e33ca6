// First render of the reveal page in headless Chromium, server included (docs/web-app.md
// "Budgets": ≤ 1 s). Each run: a new link, a fresh browser context, navigation to the link, until
// the "A secret is waiting for you" heading is on screen. Prints the median and worst of a few
// runs; exits non-zero over budget. `npx tsx bench/web/first-render.ts` after `npm run build`.
import { startBench } from './server.js'

const RUNS = 7
const BUDGET_MS = 1000

const bench = await startBench()
try {
  const times: number[] = []
  for (let run = 0; run < RUNS; run += 1) {
    const response = await fetch(`${bench.url}/app/api/links`, {
      method: 'POST',
      headers: { origin: bench.url, 'content-type': 'application/json' },
      body: JSON.stringify({
        ciphertext: `v1.${'A'.repeat(16)}.${'B'.repeat(40)}`,
        ttl_seconds: 600,
      }),
    })
    const { key } = (await response.json()) as { key: string }
    const context = await bench.browser.newContext()
    const page = await context.newPage()
    const started = performance.now()
    await page.goto(`${bench.url}/app/s/${key}#${'k'.repeat(43)}`)
    await page.getByRole('heading', { name: 'A secret is waiting for you' }).waitFor()
    times.push(performance.now() - started)
    await context.close()
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] ?? Infinity
  const worst = times[times.length - 1] ?? Infinity
  console.log(
    `reveal page first render (new context, navigation to heading), ${RUNS} runs: median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (budget ${BUDGET_MS} ms)`,
  )
  process.exitCode = worst <= BUDGET_MS ? 0 : 1
} finally {
  await bench.stop()
}
