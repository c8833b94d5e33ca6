/**
 * A one-line progress bar on standard error when it is a terminal, redrawn at most every tenth
 * of a second; nothing at all when it is not (logs and scripts get the final summary only).
 */
export interface Progress {
  /** Reports `done` of `total` for the current step. */
  update(done: number, total: number): void
  /** Ends the bar's line. */
  finish(): void
}

const WIDTH = 30
const REDRAW_MS = 100

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined }
  let last = 0
  let drawn = false
  const draw = (done: number, total: number): void => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1
    const filled = Math.round(fraction * WIDTH)
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}%`,
    )
    drawn = true
  }
  return {
    update(done, total) {
      const now = Date.now()
      if (now - last < REDRAW_MS && done < total) return
      last = now
      draw(done, total)
    },
    finish() {
      if (drawn) stream.write('\n')
    },
  }
}
