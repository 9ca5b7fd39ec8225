import { BlockList, isIPv4, isIPv6 } from 'net';

/**
 * IPv4 ranges that are not the public internet (IANA special-purpose
 * registry, RFC 6890 and its updates). A BlockList rule for IPv4 also
 * matches the IPv4-mapped IPv6 form (::ffff:127.0.0.1), as Node documents.
 */
const NON_PUBLIC_IPV4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598, carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4] // reserved, and the limited broadcast address
];

/**
 * Of IPv6 only global unicast (2000::/3, RFC 4291 §2.5.4) is public, which
 * leaves out ::, ::1, fc00::/7, fe80::/10 and multicast; plus the two forms
 * that carry an IPv4 address, judged by that address.
 */
const ROUTABLE_IPV6: ReadonlyArray<[string, number]> = [
  ['2000::', 3],
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96] // NAT64 well-known prefix (RFC 6052)
];

/** Special ranges inside global unicast. */
const NON_PUBLIC_IPV6: ReadonlyArray<[string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo, ORCHID, ...
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4, which embeds any IPv4 address
  ['3fff::', 20] // documentation (RFC 9637)
];

function blockList(v4: ReadonlyArray<[string, number]>, v6: ReadonlyArray<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of v4) list.addSubnet(address, prefix, 'ipv4');
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

// A NAT64 gateway would translate 64:ff9b::a00:1 to 10.0.0.1: the embedded address decides.
const nonPublic = blockList(NON_PUBLIC_IPV4, [
  ...NON_PUBLIC_IPV6,
  ...NON_PUBLIC_IPV4.map(([address, prefix]): [string, number] => [`64:ff9b::${address}`, 96 + prefix])
]);
const routable = blockList([], ROUTABLE_IPV6);

/**
 * Whether an IP address is on the public internet, so that a request to it
 * cannot reach the gateway itself, its private networks or a cloud
 * metadata service. Anything that is not an IP address is not public.
 */
export function isPublicAddress(address: string): boolean {
  try {
    if (isIPv4(address)) return !nonPublic.check(address, 'ipv4');
    if (isIPv6(address)) return routable.check(address, 'ipv6') && !nonPublic.check(address, 'ipv6');
  } catch {
    /* an address BlockList cannot read, e.g. with a zone id */
  }
  return false;
}
