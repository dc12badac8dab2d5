/**
 * Per-token IP allowlists (api.md): the one parser and matcher, shared by the CLI (to refuse bad
 * `--allow-ip` values before any request) and the server (to validate `allow_ips` and to decide
 * each request). A bare address is a single host: /32 for IPv4, /128 for IPv6.
 */
import {BlockList, isIP} from 'node:net'

/** More entries than this are refused: a list that long is a sign the range should be a wider block. */
export const MAX_ALLOWED_IPS = 16

export const CIDR_FORM = 'an IPv4 or IPv6 address or CIDR block, e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/48, with a prefix of /1 or longer'

export type AllowListResult = {ok: true; cidrs: string[]} | {ok: false; message: string}

/**
 * Parses an allowlist into canonical `address/prefix` entries, or says what is wrong with it in
 * one sentence that starts with `what` (the flag or field the values came from).
 */
export function parseAllowList(inputs: readonly string[], what: string): AllowListResult {
  if (inputs.length > MAX_ALLOWED_IPS) {
    return {ok: false, message: `${what} takes at most ${MAX_ALLOWED_IPS} entries (got ${inputs.length}): use wider CIDR blocks`}
  }
  const cidrs: string[] = []
  for (const input of inputs) {
    const cidr = parseCidr(input)
    if (typeof cidr !== 'string') return {ok: false, message: `${what} "${input}" ${cidr.problem}: use ${CIDR_FORM}`}
    if (!cidrs.includes(cidr)) cidrs.push(cidr)
  }
  return {ok: true, cidrs}
}

function parseCidr(input: string): string | {problem: string} {
  const [address = '', prefixText, ...rest] = input.trim().split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return {problem: 'is not an address or CIDR block'}
  const bits = family === 4 ? 32 : 128
  if (prefixText === undefined) return `${address.toLowerCase()}/${bits}`
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return {problem: `has a prefix that is not /1 to /${bits}`}
  if (Number(prefixText) === 0) return {problem: 'allows every address'}
  return `${address.toLowerCase()}/${Number(prefixText)}`
}

/** An address as a socket reports it, with an IPv4-mapped IPv6 one (a dual-stack socket's IPv4 peer) as IPv4. */
export function unmappedAddress(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
}

/** Whether `ip` (as a socket reports it; IPv4-mapped IPv6 counts as IPv4) lies in one of the canonical `cidrs`. */
export function allowListMatches(cidrs: readonly string[], ip: string): boolean {
  const address = unmappedAddress(ip)
  const family = isIP(address)
  if (family === 0) return false
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/') as [string, string]
    const type = isIP(network) === 4 ? 'ipv4' : 'ipv6'
    list.addSubnet(network, Number(prefix), type)
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6')
}
