import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface Served {
  url: string
  pid: number
  /** From spawn to the first 200 on the readiness URL. */
  startupMs: number
  stop(): Promise<void>
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the peak. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = rssBytes(pid)
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid))
    } catch {
      // the process is gone; keep the peak seen
    }
  }, intervalMs)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    },
  }
}

async function waitReady(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`)
    try {
      const response = await fetch(url)
      if (response.ok) return performance.now() - started
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Starts `node <args>` with `env` on `port` and waits until `readyPath` answers 200. */
export async function serve(
  args: readonly string[],
  env: Record<string, string>,
  port: number,
  readyPath: string,
): Promise<Served> {
  const started = performance.now()
  const child = spawn(process.execPath, [...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const startupMs = await waitReady(`${url}${readyPath}`, child, started)
  return {
    url,
    pid: child.pid ?? 0,
    startupMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve()
          return
        }
        child.once('exit', () => {
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
