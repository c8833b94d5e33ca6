import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { progressPrinter } from '../../src/cli/progress.js'

/** A stand-in for standard error that records what was written. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = []
  const stream = {
    isTTY,
    write: (text: string) => {
      written.push(text)
      return true
    },
  } as unknown as NodeJS.WriteStream
  return { stream, written }
}

/** The backup commands' bars: a label, and silence off a terminal. */
describe('progress bar', () => {
  it('draws on a terminal, always shows the end, and ends its line', () => {
    const { stream, written } = fakeStream(true)
    const bar = progressPrinter({ label: 'Copying' }, stream)
    bar.update(0, 4)
    bar.update(4, 4)
    bar.finish()
    assert.match(written[0] ?? '', /^\rCopying \[\.{30}\] 0%$/)
    assert.match(written.at(-2) ?? '', /^\rCopying \[#{30}\] 100%$/)
    assert.equal(written.at(-1), '\n')
  })

  it('writes nothing when standard error is not a terminal', () => {
    const { stream, written } = fakeStream(false)
    const bar = progressPrinter({ label: 'Copying' }, stream)
    bar.update(1, 2)
    bar.update(2, 2)
    bar.finish()
    assert.deepEqual(written, [])
  })
})

/** `keys reseal`: no label, a detail after the bar, and a plain line per batch off a terminal. */
describe('re-seal progress', () => {
  const resealProgress = (stream: NodeJS.WriteStream) => {
    const progress = progressPrinter({ blank: '-', plainLines: 're-sealed' }, stream)
    return {
      update: ({ done, total, failed }: { done: number; total: number; failed: number }) => {
        progress.update(
          done,
          total,
          `${done}/${total} ciphertexts, 0/s${failed > 0 ? `, ${failed} failed` : ''}`,
        )
      },
      end: () => {
        progress.finish()
      },
    }
  }

  it('redraws one bar in place on a terminal, with failures named, and ends its line', () => {
    const { stream, written } = fakeStream(true)
    const progress = resealProgress(stream)
    progress.update({ done: 0, total: 4, failed: 0 })
    progress.update({ done: 4, total: 4, failed: 1 })
    progress.end()
    assert.match(written[0] ?? '', /^\r\[-{30}\] 0% 0\/4 ciphertexts, \d+\/s$/)
    assert.match(written[1] ?? '', /^\r\[#{30}\] 100% 4\/4 ciphertexts, \d+\/s, 1 failed$/)
    assert.equal(written.at(-1), '\n')
  })

  it('writes one plain line per batch elsewhere, and counts an empty store as done', () => {
    const { stream, written } = fakeStream(false)
    const progress = resealProgress(stream)
    progress.update({ done: 0, total: 0, failed: 0 })
    progress.end()
    assert.deepEqual(
      written.map((line) => line.replace(/\d+\/s/, 'N/s')),
      ['re-sealed 0/0 ciphertexts, N/s (100%)\n'],
    )
  })
})
