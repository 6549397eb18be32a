import {
  assertPublicLiteral,
  guardedLookup,
  isPrivateAddress,
  PrivateNetworkError,
} from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    'fd00:ec2::254',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows public %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('refuses literal private hosts unless private networks are allowed', () => {
    expect(() => assertPublicLiteral('169.254.169.254', false)).toThrow(PrivateNetworkError);
    expect(() => assertPublicLiteral('[::1]', false)).toThrow(PrivateNetworkError);
    expect(() => assertPublicLiteral('169.254.169.254', true)).not.toThrow();
    expect(() => assertPublicLiteral('example.com', false)).not.toThrow();
  });

  it('checks the resolved address of a name and pins the connection to it', async () => {
    const resolve = (allow: boolean) =>
      new Promise<{ error: Error | null; address: unknown }>((done) => {
        guardedLookup(allow)('localhost', {}, (error, address) => done({ error, address }));
      });
    const refused = await resolve(false);
    expect(refused.error).toBeInstanceOf(PrivateNetworkError);
    const allowed = await resolve(true);
    expect(allowed.error).toBeNull();
    expect(isPrivateAddress(String(allowed.address))).toBe(true);
  });
});
