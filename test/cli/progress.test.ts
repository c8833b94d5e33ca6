import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { progressBar } from '../../src/cli/progress.js'

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

describe('progress bar', () => {
  it('draws on a terminal, always shows the end, and ends its line', () => {
    const { stream, written } = fakeStream(true)
    const bar = progressBar('Copying', stream)
    bar.update(0, 4)
    bar.update(4, 4)
    bar.finish()
    assert.match(written[0] ?? '', /^\rCopying \[\.{30}\] 0%$/)
    assert.match(written.at(-2) ?? '', /^\rCopying \[#{30}\] 100%$/)
    assert.equal(written.at(-1), '\n')
  })

  it('writes nothing when standard error is not a terminal', () => {
    const { stream, written } = fakeStream(false)
    const bar = progressBar('Copying', stream)
    bar.update(1, 2)
    bar.update(2, 2)
    bar.finish()
    assert.deepEqual(written, [])
  })
})
