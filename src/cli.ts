#!/usr/bin/env node
import { parseArgs } from 'node:util'

import { COMMANDS, commandsHelp, usageError, usageLine } from './cli/command-table.js'
import type { Command } from './cli/command-table.js'
import { configHelpText } from './config-docs.js'
import { ConfigError, loadConfig } from './config.js'
import type { LoadedConfig } from './config.js'
import { readEnvironment } from './env-file.js'
import { VERSION } from './version.js'

const help = (): string => `strongroom ${VERSION}: secret storage with five published APIs

Usage:
${commandsHelp()}
  strongroom <command> --help           how one command is called
  strongroom help                       this text
  strongroom help config                every configuration variable, its default and meaning

Configuration comes from the environment and from .env in the working directory
(DATABASE_URL, DATA_DIR, APP_SECRET, …; see \`strongroom help config\`). The CLI works on
the same store as a running server and may run while it serves.

Exit codes: 0 success, 1 failure (e.g. a broken audit log), 2 usage or configuration error,
3 keys that do not match the store (another APP_SECRET, a lost key file).`

/** The command named by the first words of `argv`, and the arguments after them. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    if (command.words.every((word, i) => argv[i] === word)) {
      return { command, rest: argv.slice(command.words.length) }
    }
  }
  return undefined
}

async function main(argv: readonly string[]): Promise<number> {
  const [first] = argv
  if (first === '--version' || first === '-v') return print({ code: 0, out: VERSION })
  if (first === 'help' && argv[1] === 'config' && argv.length === 2)
    return print({ code: 0, out: configHelpText() })
  if (first === undefined || first === 'help' || first === '--help' || first === '-h')
    return print({ code: 0, out: help() })

  const found = findCommand(argv)
  if (found === undefined) {
    const family = COMMANDS.filter((command) => command.words[0] === first)
    if (family.length === 0)
      return print({ code: 2, err: `Unknown command "${first}".\n\n${help()}` })
    const uses = family.map((command) => `  ${usageLine(command)}`).join('\n')
    return print({ code: 2, err: `Unknown use of "${first}". Its commands:\n${uses}` })
  }
  const { command, rest } = found

  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: command.positionals.max > 0,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    })
  } catch (error) {
    // node:util names the unknown or malformed option; the usage line says what is accepted.
    return print(usageError(command, error instanceof Error ? error.message : String(error)))
  }
  if (parsed.values.help === true) {
    const lines = command.help.map((line) => `  ${line}`)
    return print({ code: 0, out: [`Usage: ${usageLine(command)}`, ...lines].join('\n') })
  }
  const { min, max } = command.positionals
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    return print(
      usageError(command, `"${command.words.join(' ')}" takes ${describeCount(min, max)}`),
    )
  }

  let loaded: LoadedConfig
  try {
    loaded = loadConfig(readEnvironment(process.env, process.cwd()))
  } catch (error) {
    if (error instanceof ConfigError) return print({ code: 2, err: error.message })
    throw error
  }
  const outcome = await command.run({
    values: parsed.values,
    positionals: parsed.positionals,
    loaded,
  })
  return outcome === 'serving' ? -1 : print(outcome) // serving: signals end the process
}

const describeCount = (min: number, max: number): string =>
  max === 0
    ? 'no arguments'
    : min === max
      ? `${min} argument${min === 1 ? '' : 's'}`
      : `${min} to ${max} arguments`

function print(outcome: { code: number; out?: string; err?: string }): number {
  if (outcome.out !== undefined) process.stdout.write(`${outcome.out}\n`)
  if (outcome.err !== undefined) process.stderr.write(`${outcome.err}\n`)
  return outcome.code
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    // Operational failures (database unreachable, bad schema) in one line, no stack trace.
    process.stderr.write(`strongroom: ${error instanceof Error ? error.message : String(error)}\n`)
    // Keys that do not match the store get their own code, so an orchestrator can tell them apart.
    process.exitCode = error instanceof Error && error.name === 'KeyMismatchError' ? 3 : 1
  },
)
