import { readdirSync, readFileSync } from 'node:fs'

/** CPU time (user + system) a process has used, in milliseconds (Linux /proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime
  return (ticks * 1000) / 100 // USER_HZ is 100 on Linux
}

/** CPU time of every process with this command name (e.g. all PostgreSQL backends), in ms. */
export function cpuMsOfCommand(command: string): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command)
        total += cpuMs(Number(entry))
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total
}
