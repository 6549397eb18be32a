import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a crawler must not reach on a site owner's behalf: a hostile page could otherwise
 * point LoreChat at the cloud metadata service or at services inside the network it runs in.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64, which embeds IPv4 addresses
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::', 32], // AWS IPv6 metadata service (also inside fc00::/7; named for clarity)
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (`::ffff:127.0.0.1`). */
function embeddedIpv4(address: string): string | undefined {
  const match = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = parseInt(hex[1] ?? '0', 16);
  const low = parseInt(hex[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** True for loopback, private, link-local, metadata, CGNAT, multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return true; // not an address at all: never connect to it blindly
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  const ipv4 = embeddedIpv4(bare);
  if (ipv4 !== undefined) return BLOCKED.check(ipv4, 'ipv4');
  return BLOCKED.check(bare, 'ipv6');
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
