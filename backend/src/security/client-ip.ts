/**
 * The visitor's IP address, for per-IP quotas. Behind CloudFront and an ALB the socket's peer is
 * the load balancer, and each trusted proxy appends the address it received the request from to
 * X-Forwarded-For. Only the last `trustedHops` entries were written by our own proxies; anything to
 * their left came from the client and may be forged, so the client is the entry just left of them.
 */
export function clientIp(
  peerAddress: string,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const forwarded = header
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  // The chain as seen from here: what each proxy said its peer was, then our own peer.
  const chain = [...forwarded, peerAddress];
  const client = chain[Math.max(0, chain.length - 1 - trustedHops)] ?? peerAddress;
  return client.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
