/** HTML-escapes text for element content and attribute values. */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The debug views' GET answer: a `<pre>` table, as the original printed it for a browser. Every
 * value is escaped, so a username like `<script>` is shown, never run (the CSP forbids scripts
 * anyway).
 */
export function renderPreTable(
  title: string,
  headers: readonly (readonly [key: string, header: string])[],
  records: readonly object[],
): string {
  const rows = records as readonly Record<string, unknown>[]
  const columns = headers.map(([key]) => key)
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return ''
    return escapeHtml(
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value),
    )
  }
  const titles = headers.map(([, header]) => escapeHtml(header))
  const widths = columns.map((column, i) =>
    Math.max(titles[i]?.length ?? 0, ...rows.map((row) => cell(row[column]).length)),
  )
  const line = (values: readonly string[]): string =>
    values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')
  const body = [
    line(titles),
    widths.map((width) => '-'.repeat(width)).join('-+-'),
    ...rows.map((row) => line(columns.map((column) => cell(row[column])))),
  ].join('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><pre>${rows.length === 0 ? '(none)' : body}</pre></body></html>`
}
