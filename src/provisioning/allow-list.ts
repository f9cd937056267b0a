/**
 * Optional CIDR allow-list for provisioning clients (config.provisioning.allowCidrs).
 * An empty list allows everyone; otherwise only addresses inside one of the ranges get
 * profiles. IPv4-mapped IPv6 addresses (::ffff:10.0.0.5, what a dual-stack socket
 * reports for IPv4 clients) are compared as the IPv4 address they carry.
 */
import ipaddr from 'ipaddr.js';
import { ConfigError } from '../errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface AllowList {
  /** True when ip may fetch provisioning files. Unparseable addresses are refused. */
  allows(ip: string): boolean;
  /** True when the list restricts anything (non-empty). */
  readonly restricted: boolean;
}

/** Parses the configured ranges once; a bad entry is a config error naming the entry. */
export function createAllowList(cidrs: readonly string[]): AllowList {
  const ranges = cidrs.map((entry, index) => parseRange(entry, index));
  if (ranges.length === 0) return { allows: () => true, restricted: false };
  const verdicts = new Map<string, boolean>();
  return {
    restricted: true,
    allows(ip: string): boolean {
      let verdict = verdicts.get(ip);
      if (verdict === undefined) {
        const address = normaliseAddress(ip);
        verdict = !!address && ranges.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
        if (verdicts.size >= 10_000) verdicts.clear();
        verdicts.set(ip, verdict);
      }
      return verdict;
    },
  };
}

/**
 * The canonical form of a client address: IPv4-mapped IPv6 unwrapped to IPv4, IPv6
 * zone ids dropped. Returns null for anything that is not an IP address.
 */
export function normaliseAddress(ip: string): Address | null {
  const withoutZone = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  if (!ipaddr.isValid(withoutZone)) return null;
  // process() unwraps ::ffff:a.b.c.d to an IPv4 address.
  return ipaddr.process(withoutZone);
}

const keyCache = new Map<string, string>();

/** Text key for per-address bookkeeping, so ::ffff:10.0.0.5 and 10.0.0.5 count as one. */
export function addressKey(ip: string): string {
  let key = keyCache.get(ip);
  if (key === undefined) {
    key = normaliseAddress(ip)?.toString() ?? ip;
    // Parsing addresses is the costly part; a bounded memo keeps it off the hot path.
    if (keyCache.size >= 10_000) keyCache.clear();
    keyCache.set(ip, key);
  }
  return key;
}

function parseRange(entry: string, index: number): [Address, number] {
  const field = `provisioning.allowCidrs[${index}]`;
  const text = entry.trim();
  try {
    if (text.includes('/')) {
      const [network, bits] = ipaddr.parseCIDR(text);
      // A mapped IPv6 range such as ::ffff:10.0.0.0/104 means the IPv4 range 10.0.0.0/8.
      if (network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(network as ipaddr.IPv6).toIPv4Address(), bits - 96];
      }
      return [network, bits];
    }
    // A bare address means exactly that host.
    const address = ipaddr.process(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new ConfigError(
      `${field} = ${JSON.stringify(entry)} is not a CIDR range or IP address (examples: 192.168.1.0/24, 10.0.0.7, fd00::/8)`,
      field,
    );
  }
}
