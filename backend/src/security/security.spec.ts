import { clientIp } from './client-ip';
import { MemoryQuotaStore } from './quota-store/memory.store';
import { parseSites } from '../config/sites';
import { isOriginAllowed } from './origins';
import { VisitorTokens } from './visitor-tokens';

describe('SITES', () => {
  const sites = parseSites(
    'demo=http://localhost:*;shop=https://shop.example, https://*.shop.example',
  );

  it('matches exact origins, any port, and any subdomain, nothing more', () => {
    expect(isOriginAllowed(sites, 'demo', 'http://localhost:3000')).toBe(true);
    expect(isOriginAllowed(sites, 'demo', 'http://localhost')).toBe(true);
    expect(isOriginAllowed(sites, 'demo', 'https://localhost:3000')).toBe(false);
    expect(isOriginAllowed(sites, 'demo', 'http://localhost.evil.example')).toBe(false);
    expect(isOriginAllowed(sites, 'shop', 'https://eu.shop.example')).toBe(true);
    expect(isOriginAllowed(sites, 'shop', 'https://shop.example:8443')).toBe(false);
    expect(isOriginAllowed(sites, 'shop', 'https://evilshop.example')).toBe(false);
    expect(isOriginAllowed(sites, 'other', 'http://localhost:3000')).toBe(false);
  });

  it.each([
    '',
    'demo',
    'demo=localhost:3000',
    'de mo=http://a.example',
    'demo=http://*',
    'demo=http://a.*.example',
  ])('refuses "%s"', (value) => {
    expect(() => parseSites(value)).toThrow();
  });
});

describe('clientIp', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientIp('::ffff:203.0.113.7', '10.0.0.1', 0)).toBe('203.0.113.7');
  });

  it('takes the entry the trusted proxies vouch for, whatever the client prepended', () => {
    expect(clientIp('10.0.1.5', '198.51.100.9', 1)).toBe('198.51.100.9');
    expect(clientIp('10.0.1.5', 'forged, 198.51.100.9', 1)).toBe('198.51.100.9');
    expect(clientIp('10.0.1.5', ['forged, 198.51.100.9', '130.176.1.1'], 2)).toBe('198.51.100.9');
    expect(clientIp('10.0.1.5', undefined, 2)).toBe('10.0.1.5');
  });
});

describe('VisitorTokens', () => {
  let now = 1_800_000_000_000;
  const tokens = new VisitorTokens('a-secret-of-at-least-thirty-two-chars', 60, () => now);

  it('round-trips its claims until it expires', () => {
    const { token, claims } = tokens.issue('demo', 'http://localhost:3000');
    expect(tokens.verify(token)).toEqual({ ok: true, claims });
    now += 60_000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tampering and other secrets', () => {
    const { token } = tokens.issue('demo', 'http://localhost:3000');
    expect(tokens.verify(`${token}x`)).toEqual({ ok: false, reason: 'forged' });
    expect(tokens.verify('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
    const other = new VisitorTokens('another-secret-of-thirty-two-chars!!', 60, () => now);
    expect(tokens.verify(other.issue('demo', 'http://localhost:3000').token)).toMatchObject({
      ok: false,
      reason: 'forged',
    });
  });

  it('keeps the visitor id on renewal for the same site and origin only', () => {
    const first = tokens.issue('demo', 'http://localhost:3000');
    now += 3_600_000;
    expect(tokens.issue('demo', 'http://localhost:3000', first.token).claims.visitorId).toBe(
      first.claims.visitorId,
    );
    expect(tokens.issue('demo', 'http://localhost:4000', first.token).claims.visitorId).not.toBe(
      first.claims.visitorId,
    );
  });
});

describe('MemoryQuotaStore', () => {
  it('counts within a window and forgets expired counters', async () => {
    let now = 0;
    const store = new MemoryQuotaStore(() => now);
    expect(await store.increment('k', 2, 1000)).toBe(2);
    expect(await store.increment('k', 3, 1000)).toBe(5);
    now = 1000;
    expect(await store.get('k')).toBe(0);
    now = 120_000;
    await store.increment('other', 1, 200_000);
    expect(store.size).toBe(1);
  });
});
