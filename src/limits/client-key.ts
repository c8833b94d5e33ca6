import { isIP } from 'node:net'

/**
 * The one answer to "which client is this?" for every per-client limit: the Lock rate limits,
 * the per-address login throttle, the e-mail lookup, and any limit added later. Limits key on
 * this, never on the raw address.
 *
 * An IPv4 address is one client. An IPv6 address is not: a single subscriber usually holds a
 * whole /64 (often a /56 or /48) and can pick a fresh address from it for every request, so
 * keying on the full address would hand them 2^64 fresh buckets. IPv6 clients are counted by
 * their first `ipv6PrefixLength` bits (IPV6_CLIENT_PREFIX, default 64). An IPv4-mapped IPv6
 * address (`::ffff:192.0.2.7`, what a dual-stack socket reports for an IPv4 peer) is the IPv4
 * client it maps. Anything that is not an IP address is returned as it is.
 */
export type ClientKey = (address: string) => string

export function createClientKey(ipv6PrefixLength: number): ClientKey {
  if (!Number.isInteger(ipv6PrefixLength) || ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
    throw new RangeError(`an IPv6 prefix length is 1 to 128 (got ${ipv6PrefixLength})`)
  }
  return (address) => {
    const groups = ipv6Groups(address)
    if (groups === undefined) return address
    if (isIpv4Mapped(groups)) return ipv4Of(groups)
    const kept = groups.map((group, i) => {
      const bitsBefore = i * 16
      if (bitsBefore + 16 <= ipv6PrefixLength) return group
      if (bitsBefore >= ipv6PrefixLength) return 0
      const keep = ipv6PrefixLength - bitsBefore
      return group & (0xffff << (16 - keep)) & 0xffff
    })
    return `${kept.map((group) => group.toString(16)).join(':')}/${ipv6PrefixLength}`
  }
}

/** The eight 16-bit groups of an IPv6 address (zone id ignored), or undefined for anything else. */
function ipv6Groups(raw: string): number[] | undefined {
  const zone = raw.indexOf('%')
  const address = zone === -1 ? raw : raw.slice(0, zone)
  if (isIP(address) !== 6) return undefined

  // A dotted IPv4 tail stands for the last two groups.
  let head = address
  const tail: number[] = []
  const lastColon = address.lastIndexOf(':')
  const last = address.slice(lastColon + 1)
  if (last.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number)
    tail.push((a << 8) | b, (c << 8) | d)
    head = address.slice(0, lastColon + 1)
    if (!head.endsWith('::')) head = head.slice(0, -1)
  }

  const [left = '', right] = head.split('::')
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16))
  const before = parse(left)
  const after = right === undefined ? [] : parse(right)
  const zeros = 8 - before.length - after.length - tail.length
  return [...before, ...Array<number>(Math.max(0, zeros)).fill(0), ...after, ...tail]
}

const isIpv4Mapped = (groups: readonly number[]): boolean =>
  groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff

const ipv4Of = (groups: readonly number[]): string => {
  const high = groups[6] ?? 0
  const low = groups[7] ?? 0
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}
