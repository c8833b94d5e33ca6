/** HTML-escapes text for element content and attribute values. */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The debug views' GET answer: a `<pre>` table, as the original printed it for a browser. Every
 * value is escaped, so a username like `<script>` is shown, never run (the CSP forbids scripts
 * anyway).
 */
export function renderPreTable(title: string, records: readonly object[]): string {
  const rows = records as readonly Record<string, unknown>[]
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return ''
    return escapeHtml(
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value),
    )
  }
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  )
  const line = (values: readonly string[]): string =>
    values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')
  const body = [
    line(columns),
    widths.map((width) => '-'.repeat(width)).join('-+-'),
    ...rows.map((row) => line(columns.map((column) => cell(row[column])))),
  ].join('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><pre>${rows.length === 0 ? '(none)' : body}</pre></body></html>`
}
