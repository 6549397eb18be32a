import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a crawler may reach on a site owner's behalf: a hostile page could otherwise
 * point LoreChat at the cloud metadata service or at services inside the network it runs in. The
 * special-purpose ranges come from ipaddr.js (the IANA registries); only its `unicast`, the
 * global remainder, is public. Loopback, private, link-local (169.254.169.254 included),
 * carrier-grade NAT, unique-local (AWS's fd00:ec2::254), multicast, reserved, documentation,
 * benchmarking, Teredo and discard-only addresses are all refused.
 */
function isPublicIpv4(address: ipaddr.IPv4): boolean {
  return address.range() === 'unicast';
}

/**
 * Where an IPv6 address carries an IPv4 one (RFC 6052 layouts: the octet after the first 64 bits
 * is skipped), with every reading its prefix allows. A translator, tunnel or dual stack could
 * deliver the packet to that IPv4 address, so it is the one to check.
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const bytes = address.toByteArray();
  const at = (prefixBits: number) => {
    const positions: number[] = [];
    for (let index = prefixBits / 8; positions.length < 4; index += 1) {
      if (index !== 8) positions.push(index);
    }
    return new ipaddr.IPv4(positions.map((index) => bytes[index] ?? 0));
  };
  const range = address.range();
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated, RFC 6145).
  if (range === 'ipv4Mapped' || range === 'rfc6145') return [at(96)];
  // ::a.b.c.d, IPv4-compatible (deprecated, still routed by some stacks); :: and ::1 excepted.
  if (bytes.slice(0, 12).every((byte) => byte === 0) && range === 'unicast') return [at(96)];
  // 6to4: 2002:AABB:CCDD::/48 tunnels to a.b.c.d (bytes 2 to 5).
  if (range === '6to4') return [new ipaddr.IPv4(bytes.slice(2, 6))];
  if (range === 'rfc6052') {
    // 64:ff9b::/96 is the well-known NAT64 prefix; 64:ff9b:1::/48 (RFC 8215) is for local
    // translators, whose prefix may be 48, 56, 64 or 96 bits long: every reading must be public.
    const localUse = bytes[4] === 0 && bytes[5] === 1;
    return localUse ? [48, 56, 64, 96].map(at) : [at(96)];
  }
  return undefined;
}

/** True for every address a crawl must not reach; see `isPublicIpv4` for the ranges. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 0) return true; // not an address at all: never connect to it blindly
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') return !isPublicIpv4(parsed as ipaddr.IPv4);
  const ipv6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIpv4(ipv6);
  if (embedded) return !embedded.every(isPublicIpv4);
  return ipv6.range() !== 'unicast';
}

export class PrivateNetworkError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a private or reserved address`);
    this.name = 'PrivateNetworkError';
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves the host, refuses it when any of its addresses is
 * private, and hands the socket the address it checked, so the connection goes exactly where the
 * check looked (no second resolution an attacker's DNS could answer differently).
 */
export function guardedLookup(allowPrivateNetwork: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = allowPrivateNetwork
        ? undefined
        : addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused) return callback(new PrivateNetworkError(hostname, refused.address), []);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), []);
      if (options.all) return callback(null, [first]);
      callback(null, first.address, first.family);
    });
  };
}

/** Refuses a literal IP host before connecting (Node skips `lookup` for IP literals). */
export function assertPublicLiteral(hostname: string, allowPrivateNetwork: boolean): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivateNetwork && isIP(bare) !== 0 && isPrivateAddress(bare)) {
    throw new PrivateNetworkError(hostname, bare);
  }
}
