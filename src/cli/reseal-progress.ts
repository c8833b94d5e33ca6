import type { ResealProgress } from '../domain/keys/rotation.js'

/**
 * Progress of a long CLI job on standard error: a bar redrawn in place on a terminal, plain
 * lines otherwise (one per committed batch), so logs of a non-interactive run stay readable.
 */
export function resealProgress(stream: NodeJS.WriteStream = process.stderr): {
  update(progress: ResealProgress): void
  end(): void
} {
  const started = Date.now()
  const rate = (done: number): number => {
    const seconds = (Date.now() - started) / 1000
    return seconds > 0 ? Math.round(done / seconds) : 0
  }
  let drawn = false
  return {
    update({ done, total, failed }) {
      const percent = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100))
      const tail = `${done}/${total} ciphertexts, ${rate(done)}/s${failed > 0 ? `, ${failed} failed` : ''}`
      if (stream.isTTY) {
        const width = 30
        const filled = Math.round((percent / 100) * width)
        stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${tail}`)
        drawn = true
      } else {
        stream.write(`re-sealed ${tail} (${percent}%)\n`)
      }
    },
    end() {
      if (drawn) stream.write('\n')
    },
  }
}
