/**
 * A confusable skeleton in the spirit of Unicode TS #39 §4 ("skeleton"): two names with the same
 * skeleton look alike, so only one of them may be registered. This is a compact table, not the
 * full confusables.txt. It covers the letters most used to imitate Latin names: Cyrillic and
 * Greek letters that render like a Latin letter in common fonts, Latin dotless i and script g,
 * and the combining dot above (so `i` + U+0307, what Turkish `İ` lower-cases to, is `i`).
 * Confusables *within* ASCII (`rn`/`m`, `l`/`1`/`I`) are deliberately left distinct: folding them
 * would refuse many ordinary names, and ASCII names are what operators read and type.
 * Input is an already case-mapped key (username-profile.ts), so only lower case is listed.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  з: '3',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  һ: 'h',
  ӏ: 'l',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ь: 'b',
  ү: 'y',
  ғ: 'f',
  ӡ: '3',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
  ω: 'w',
  // Latin look-alikes of Latin letters
  ı: 'i',
  ɡ: 'g',
  ɑ: 'a',
  ɩ: 'i',
  ʏ: 'y',
  ȷ: 'j',
}
const COMBINING_DOT_ABOVE = /\u0307/gu

/** The skeleton of a case-mapped username key. */
export function skeleton(key: string): string {
  let out = ''
  for (const char of key.normalize('NFD').replace(COMBINING_DOT_ABOVE, '')) {
    out += LOOKALIKES[char] ?? char
  }
  return out.normalize('NFC')
}
