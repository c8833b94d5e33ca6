/**
 * Usernames under the PRECIS UsernameCaseMapped profile (RFC 8265 §3.3, on the IdentifierClass
 * of RFC 8264 §4.2), so names that look alike are one name:
 *
 *   1. width mapping: fullwidth and halfwidth forms become their ordinary characters (`ｂｏｂ` is `bob`);
 *   2. case mapping: Unicode toLowerCase (`BOB` is `bob`; Turkish `İ` becomes `i` + U+0307);
 *   3. NFC;
 *   4. every character must be PVALID in the IdentifierClass: letters, marks and digits of any
 *      script, or printable ASCII. Refused: controls, spaces other than single ASCII spaces
 *      between parts (RFC 8265 §3.1: a username is userparts separated by spaces), format
 *      characters (zero-width space and joiners, bidi overrides and isolates), symbols and
 *      punctuation outside ASCII, private use, unassigned code points, lone surrogates, old
 *      Hangul jamo, and characters with a compatibility decomposition (`ﬁ`, `²`, `ſ`);
 *   5. the bidi rule (RFC 5893 §2, simplified): a part with right-to-left letters starts with one
 *      and has no left-to-right letters.
 *
 * The joiners ZWJ/ZWNJ are CONTEXTJ in PRECIS (allowed in a few scripts' contexts); they are
 * refused here outright, which is stricter than the RFC and never lets an invisible character in.
 */

const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u
const LETTER_DIGIT = /^[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}]$/u
const OLD_HANGUL_JAMO = /^[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]$/u
const WIDE_OR_NARROW = /[\uff01-\uffee]/gu

export type UsernameRefusal = 'empty' | 'disallowed' | 'bidi'

export type Enforced = { ok: true; key: string } | { ok: false; reason: UsernameRefusal }

/** The profile's enforcement: the comparison key of a username, or why it is refused. */
export function enforceUsername(username: string): Enforced {
  const mapped = username
    .replace(WIDE_OR_NARROW, (char) => char.normalize('NFKC'))
    .toLowerCase()
    .normalize('NFC')
  const parts = mapped.split(' ')
  if (parts.some((part) => part === '')) return { ok: false, reason: 'empty' }
  for (const part of parts) {
    for (const char of part) if (!isPermitted(char)) return { ok: false, reason: 'disallowed' }
    if (RTL_LETTER.test(part) && (!RTL_LETTER.test(part[0] ?? '') || hasLeftToRightLetter(part))) {
      return { ok: false, reason: 'bidi' }
    }
  }
  return { ok: true, key: mapped }
}

function hasLeftToRightLetter(part: string): boolean {
  for (const char of part) if (/\p{L}/u.test(char) && !RTL_LETTER.test(char)) return true
  return false
}

// Lone surrogates (category Cs) fail every test below, so ill-formed text is refused too.
function isPermitted(char: string): boolean {
  const code = char.codePointAt(0) ?? 0
  if (code >= 0x21 && code <= 0x7e) return true
  if (OLD_HANGUL_JAMO.test(char)) return false
  // HasCompat: after width mapping, a compatibility character is not an identifier character.
  if (char.normalize('NFKC') !== char) return false
  return LETTER_DIGIT.test(char)
}
