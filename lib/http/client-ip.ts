import { isIPv4, isIPv6 } from 'net';
import type { Request } from 'express';

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail counts as two). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const before = parse(head);
  const after = parse(rest);
  return rest === undefined ? before : [...before, ...new Array(8 - before.length - after.length).fill(0), ...after];
}

/**
 * What the per-IP counters count an address as. An IPv4 address (also when
 * written IPv4-mapped, ::ffff:a.b.c.d) is itself; an IPv6 client counts as
 * its /64, since one subscriber is usually given a whole /64 and can pick a
 * fresh address in it for every guess (RFC 6177, RFC 8981).
 */
export function counterAddress(address: string): string {
  if (!isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const [high = 0, low = 0] = groups.slice(6);
  if (mapped) return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/**
 * The client address the per-IP limits count. Behind a load balancer every
 * request comes from the balancer, so one shared counter would lock every
 * user out at once; each trusted proxy appends the address it received the
 * request from to X-Forwarded-For, so the client is `trustedHops` entries
 * back from the TCP peer. Entries further back are the client's own words
 * and never used: a client cannot name itself a fresh address per guess.
 * (Express's `trust proxy` set to a number means the same; EG's app leaves
 * it unset, and the plugin does not reconfigure EG's app.) The address is
 * given as counterAddress counts it.
 */
export function clientIp(req: Request, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return counterAddress(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const hops = [peer, ...forwarded.reverse()];
  const chosen = hops[Math.min(trustedHops, hops.length - 1)] ?? peer;
  // A proxy's entry may carry a port or brackets ("[2001:db8::1]:443", "192.0.2.1:80"); anything else unreadable counts
  // as written.
  const beforePort = chosen.split(':', 1)[0] ?? chosen;
  const bare = /^\[([^\]]+)\]/.exec(chosen)?.[1] ?? (isIPv4(beforePort) ? beforePort : chosen);
  return counterAddress(bare);
}
