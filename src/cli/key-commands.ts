import type { Config } from '../config.js'
import { systemClock } from '../clock.js'
import {
  activateVersion,
  keyStatus,
  reseal,
  retireUnused,
  rewrap,
  RotationError,
  stageVersion,
  STAGE_WAIT_MS,
} from '../domain/keys/rotation.js'
import type { RotationDeps } from '../domain/keys/rotation.js'
import type { Outcome } from './commands.js'
import { withServices } from './context.js'
import { progressPrinter } from './progress.js'

export const KEYS_USAGE = `Usage: strongroom keys status
       strongroom keys rotate [--batch-size N]
       strongroom keys reseal [--batch-size N]
       strongroom keys rewrap`

/** `strongroom keys <sub>`: the keyring's status, data-key rotation and root re-wrapping. */
export async function keysCommand(
  config: Config,
  sub: string | undefined,
  options: { batchSize?: string },
): Promise<Outcome> {
  const batchSize = options.batchSize === undefined ? 200 : Number(options.batchSize)
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    return { code: 2, err: `--batch-size must be a whole number from 1 to 10000\n${KEYS_USAGE}` }
  }
  const run = (work: (deps: RotationDeps) => Promise<Outcome>): Promise<Outcome> =>
    withServices(config, async (services, store) => {
      try {
        return await work({
          store,
          transact: services.transact,
          keyring: services.keyring,
          clock: systemClock,
          audit: services.audit,
        })
      } catch (error) {
        if (error instanceof RotationError) return { code: 1, err: error.message }
        throw error
      }
    })

  switch (sub) {
    case 'status':
      return run(async (deps) => ({ code: 0, out: await describeStatus(deps) }))
    case 'rotate':
      return run(async (deps) => {
        const version = await stageVersion(deps)
        process.stderr.write(
          `Data-key version ${version} staged; waiting ${STAGE_WAIT_MS / 1000}s for every node to load it.\n`,
        )
        await sleep(STAGE_WAIT_MS)
        await activateVersion(deps, version)
        process.stderr.write(
          `Version ${version} now seals every new value; waiting ${STAGE_WAIT_MS / 1000}s for every node to switch, then re-sealing.\n`,
        )
        await sleep(STAGE_WAIT_MS)
        return resealAndRetire(deps, batchSize, `Rotated to data-key version ${version}.`)
      })
    case 'reseal':
      return run((deps) => resealAndRetire(deps, batchSize, 'Re-seal finished.'))
    case 'rewrap':
      return run(async (deps) => {
        const result = await rewrap(deps)
        return result === 'already-current'
          ? {
              code: 0,
              out: 'The keyring is already wrapped under the current root; nothing to do.',
            }
          : {
              code: 0,
              out: 'Re-wrapped the keyring under the current root. The previous root is no longer needed: remove APP_SECRET_PREVIOUS / KEY_FILE_PREVIOUS and restart each node with the new root only.',
            }
      })
    default:
      return { code: 2, err: KEYS_USAGE }
  }
}

async function resealAndRetire(
  deps: RotationDeps,
  batchSize: number,
  headline: string,
): Promise<Outcome> {
  // SIGTERM or Ctrl-C stop after the batch in flight: every committed batch stays re-sealed.
  const stop = new AbortController()
  const abort = (): void => {
    stop.abort()
  }
  process.once('SIGTERM', abort)
  process.once('SIGINT', abort)
  // A line per committed batch off a terminal: a long re-seal's log shows how far it got.
  const progress = progressPrinter({ blank: '-', plainLines: 're-sealed' })
  const started = Date.now()
  try {
    const result = await reseal(deps, {
      batchSize,
      signal: stop.signal,
      onProgress: ({ done, total, failed }) => {
        const seconds = (Date.now() - started) / 1000
        const rate = seconds > 0 ? Math.round(done / seconds) : 0
        const failures = failed > 0 ? `, ${failed} failed` : ''
        progress.update(done, total, `${done}/${total} ciphertexts, ${rate}/s${failures}`)
      },
    })
    progress.finish()
    const seconds = Math.max((Date.now() - started) / 1000, 0.001)
    const rate = Math.round(result.done / seconds)
    if (result.interrupted) {
      return {
        code: 1,
        err: `Interrupted after re-sealing ${result.done} of ${result.total} ciphertexts; what was done stays done. Run \`strongroom keys reseal\` to finish.`,
      }
    }
    const retired = await retireUnused(deps)
    const lines = [
      headline,
      `Re-sealed ${result.done} ciphertext(s) in ${seconds.toFixed(1)}s (${rate}/s).`,
      retired.length > 0
        ? `Retired version(s) ${retired.join(', ')}: their keys are destroyed.`
        : '',
    ]
    if (result.failed > 0) {
      return {
        code: 1,
        out: lines.filter(Boolean).join('\n'),
        err: `${result.failed} ciphertext(s) could not be opened and were left as they are (see \`strongroom keys status\`); no version they use was retired.`,
      }
    }
    return { code: 0, out: `${lines.filter(Boolean).join('\n')}\n\n${await describeStatus(deps)}` }
  } finally {
    process.removeListener('SIGTERM', abort)
    process.removeListener('SIGINT', abort)
  }
}

async function describeStatus(deps: RotationDeps): Promise<string> {
  const { versions, unknown } = await keyStatus(deps)
  const rows = versions.map(
    (version) =>
      `  ${String(version.version).padStart(7)}  ${version.state.padEnd(8)}  ${String(version.ciphertexts).padStart(11)}${version.current ? '  (seals new values)' : ''}`,
  )
  return [
    `Keyring opened with the ${deps.keyring.openedWith()} root${deps.keyring.openedWith() === 'previous' ? ': run `strongroom keys rewrap`' : ''}.`,
    '  version  state     ciphertexts',
    ...rows,
    ...(unknown > 0
      ? [`  ${unknown} ciphertext(s) name a key id that is not in the keyring.`]
      : []),
    'One-time secrets are sealed with their link key as well and are not counted or re-sealed; they end within ONE_TIME_MAX_TTL_SECONDS.',
  ].join('\n')
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })
