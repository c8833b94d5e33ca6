/**
 * A horizontal bar chart as a standalone SVG (no scripts, no fonts to fetch): what
 * `npm run bench --write` draws into docs/ so a reader can look instead of read.
 */
export interface Bar {
  label: string
  value: number
  /** Shown after the bar, e.g. "2650 req/s (7%)". */
  text: string
  /** A reference bar (a ceiling) is drawn in grey. */
  reference?: boolean
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function barChart(title: string, bars: readonly Bar[]): string {
  const width = 860
  const labelWidth = 330
  const barArea = 380
  const rowHeight = 28
  const top = 44
  const height = top + bars.length * rowHeight + 16
  const max = Math.max(...bars.map((bar) => bar.value), 1)
  const rows = bars.map((bar, i) => {
    const y = top + i * rowHeight
    const w = Math.max(1, (bar.value / max) * barArea)
    const fill = bar.reference === true ? '#9aa4ad' : '#1f6feb'
    return [
      `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 10}" fill="${fill}" rx="2"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 18}">${escape(bar.text)}</text>`,
    ].join('')
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13" fill="#1b1f24">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="26" font-size="16" font-weight="bold">${escape(title)}</text>
${rows.join('\n')}
</svg>
`
}
