import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a probe refuses unless the operator allows private targets (DESIGN §5): a target is
 * input from whoever holds the API token, and a probe's status, identity headers and body check are
 * readable back, so without this an agent would fetch its cloud's metadata service (169.254.169.254)
 * or an internal admin page on the token holder's behalf.
 */
const RANGES: readonly { readonly kind: string; readonly v4?: readonly (readonly [string, number])[]; readonly v6?: readonly (readonly [string, number])[] }[] = [
  { kind: 'unspecified', v4: [['0.0.0.0', 8]], v6: [['::', 128]] },
  { kind: 'loopback', v4: [['127.0.0.0', 8]], v6: [['::1', 128]] },
  { kind: 'link-local (cloud metadata lives here)', v4: [['169.254.0.0', 16]], v6: [['fe80::', 10]] },
  { kind: 'private', v4: [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]], v6: [['fc00::', 7], ['fec0::', 10]] },
  { kind: 'shared (CGNAT)', v4: [['100.64.0.0', 10]] },
  {
    kind: 'reserved',
    // IETF protocol assignments, benchmarking (often used as internal space), class E; NAT64 local
    // use, the discard prefix
    v4: [['192.0.0.0', 24], ['198.18.0.0', 15], ['240.0.0.0', 4]],
    v6: [['64:ff9b:1::', 48], ['100::', 64]],
  },
  { kind: 'multicast', v4: [['224.0.0.0', 4]], v6: [['ff00::', 8]] },
];

const LISTS = RANGES.map(({ kind, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return { kind, list };
});

/** The 8 hextets of an IPv6 address (dotted IPv4 tail allowed), or null when it is not one. */
function hextets(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const parts = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail].map((h) => Number.parseInt(h, 16));
  return parts.length === 8 && parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? parts : null;
}

/**
 * The IPv4 address an IPv6 address carries and a stack or gateway would reach: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
 */
function embeddedIpv4(ip: string): { v4: string; form: string } | null {
  const h = hextets(ip);
  if (!h) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && h[5] === 0xffff) return { v4: v4(h[6]!, h[7]!), form: 'IPv4-mapped' };
  if (zeros(0, 6) && (h[6] !== 0 || h[7]! > 1)) return { v4: v4(h[6]!, h[7]!), form: 'IPv4-compatible' };
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return { v4: v4(h[6]!, h[7]!), form: 'NAT64' };
  if (h[0] === 0x2002) return { v4: v4(h[1]!, h[2]!), form: '6to4' };
  return null;
}

function kindOf(ip: string, family: 'ipv4' | 'ipv6'): string | null {
  for (const { kind, list } of LISTS) if (list.check(ip, family)) return kind;
  return null;
}

/**
 * Why a probe may not connect to `ip` unless private targets are allowed — "loopback", "private",
 * "link-local (cloud metadata lives here)", "IPv4-mapped loopback", ... — or null when `ip` is a public
 * address. Anything that is not an IP address at all is refused too ("not an IP address").
 */
export function blockedAddressKind(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) return kindOf(ip, 'ipv4');
  if (family !== 6) return 'not an IP address';
  const zone = ip.indexOf('%');
  const bare = zone >= 0 ? ip.slice(0, zone) : ip;
  const embedded = embeddedIpv4(bare);
  if (embedded) {
    const kind = kindOf(embedded.v4, 'ipv4');
    if (kind !== null) return `${embedded.form} ${kind}`;
  }
  return kindOf(bare, 'ipv6');
}

/** The URL's host when it is an IP literal (or `localhost`) that blockedAddressKind refuses: [host, kind]; else null. */
export function blockedUrlHost(url: string): { host: string; kind: string } | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return { host, kind: 'loopback' };
  if (isIP(host) === 0) return null;
  const kind = blockedAddressKind(host);
  return kind === null ? null : { host, kind };
}

/** The flag that lets probes reach the addresses above, named in every refusal. */
export const ALLOW_PRIVATE_TARGETS_FLAG = '--allow-private-targets';
