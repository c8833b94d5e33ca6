/**
 * Progress of a long CLI job on standard error. On a terminal, one bar redrawn in place, at most
 * every tenth of a second (the finished state is always drawn). Elsewhere, one plain line per
 * update for a job that says `plainLines`, so logs of a non-interactive run stay readable, and
 * nothing for one that does not (logs and scripts get its final summary only).
 */
export interface Progress {
  /** Reports `done` of `total`, with what the job has to say about it (`detail`). */
  update(done: number, total: number, detail?: string): void
  /** Ends the bar's line. */
  finish(): void
}

export interface ProgressOptions {
  /** Before the bar: what is in progress. */
  label?: string
  /** The bar's character for what is still to do. */
  blank?: '.' | '-'
  /** Off a terminal, a line per update that starts with these words; none without them. */
  plainLines?: string
}

const WIDTH = 30
const REDRAW_MS = 100

export function progressPrinter(
  { label, blank = '.', plainLines }: ProgressOptions,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  let last = 0
  let drawn = false
  return {
    update(done, total, detail) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1
      const percent = Math.floor(fraction * 100)
      if (!stream.isTTY) {
        if (plainLines !== undefined) {
          stream.write(`${plainLines}${detail === undefined ? '' : ` ${detail}`} (${percent}%)\n`)
        }
        return
      }
      const now = Date.now()
      if (now - last < REDRAW_MS && done < total) return
      last = now
      const filled = Math.round(fraction * WIDTH)
      const bar = `[${'#'.repeat(filled)}${blank.repeat(WIDTH - filled)}]`
      stream.write(
        `\r${label === undefined ? '' : `${label} `}${bar} ${percent}%${detail === undefined ? '' : ` ${detail}`}`,
      )
      drawn = true
    },
    finish() {
      if (drawn) stream.write('\n')
    },
  }
}
