/**
 * Reads a password for the CLI without it ever being an argument (arguments show up in `ps` and
 * in shell history). From a pipe: the first line of standard input. From a terminal: a prompt on
 * standard error with echo off.
 */
export async function readSecretLine(prompt: string): Promise<string> {
  const { stdin, stderr } = process
  if (!stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(chunk as Buffer)
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd()
  }
  stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.resume()
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = ''
      const onData = (data: Buffer): void => {
        for (const char of data.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            stdin.off('data', onData)
            stderr.write('\n')
            resolve(typed)
            return
          }
          if (char === '\u0003') {
            stdin.off('data', onData)
            reject(new Error('cancelled'))
            return
          }
          typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char
        }
      }
      stdin.on('data', onData)
    })
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
  }
}
