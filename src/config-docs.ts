import { CONFIG_TABLE } from './config-variables.js'
import type { VariableSpec } from './config-variables.js'

/**
 * The configuration table (config-variables.ts) written for people: as the README's Markdown
 * table and as `strongroom help config`. Both come from the one table, so neither can fall behind
 * what the parser reads.
 */

const defaultCell = (spec: VariableSpec): string => {
  if (spec.default === undefined)
    return spec.unsetMeans ?? (spec.type === 'list' ? 'none' : 'unset')
  const value = spec.default === '' ? '(empty)' : `\`${spec.default}\``
  return spec.defaultNote === undefined ? value : `${value} (${spec.defaultNote})`
}

const bounds = (spec: VariableSpec): string =>
  spec.type === 'integer' && spec.min !== undefined && spec.max !== undefined
    ? `Whole number from ${spec.min} to ${spec.max}.`
    : ''

const meaning = (spec: VariableSpec): string => [spec.description, bounds(spec)].join(' ').trim()

/** One `[variable, default, meaning]` row per variable, Markdown in each cell. */
export function configTableRows(): [string, string, string][] {
  return CONFIG_TABLE.map((spec) => [`\`${spec.name}\``, defaultCell(spec), meaning(spec)])
}

/** The README's table (before Prettier pads its columns). */
export function configTableMarkdown(): string {
  return [
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...configTableRows().map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n')
}

/** Markdown to terminal text: code spans lose their backticks, links keep their words. */
const plain = (markdown: string): string =>
  markdown.replace(/`([^`]*)`/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(indent + line)
  return lines
}

/** `strongroom help config`: every variable, its default and bounds, and what it does. */
export function configHelpText(width = 100): string {
  const intro = [
    'Configuration: environment variables, all optional. A .env file in the working directory',
    'is read too; the real environment wins over it. Invalid values stop the start with one',
    'message listing every problem (exit code 2).',
    '',
  ]
  const entries = CONFIG_TABLE.flatMap((spec: VariableSpec) => [
    `  ${spec.name}  (default: ${plain(defaultCell(spec))})`,
    ...wrap(plain(meaning(spec)), width, '      '),
  ])
  return [...intro, ...entries].join('\n')
}
