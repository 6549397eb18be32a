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
    '192.0.2.1',
    '198.18.0.1',
    '255.255.255.255',
    '224.0.0.1',
    '2001:db8::1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  // Regression (issue 19, finding 6): each of these reached loopback or a private network.
  it.each([
    ['IPv4-compatible loopback', '::7f00:1'],
    ['IPv4-compatible metadata service', '::169.254.169.254'],
    ['IPv4-translated (RFC 6145) loopback', '::ffff:0:7f00:1'],
    ['well-known NAT64 of a private address', '64:ff9b::a00:1'],
    ['local-use NAT64 (/96 layout)', '64:ff9b:1::a00:1'],
    ['local-use NAT64 (/48 layout)', '64:ff9b:1:7f00:1::'],
    ['local-use NAT64 (/64 layout)', '64:ff9b:1:0:c0:a801:100::'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['6to4 of 192.168.1.1', '2002:c0a8:101::1'],
    ['6to4 of the metadata service', '2002:a9fe:a9fe::'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
  ])('refuses the embedded-IPv4 form %s (%s)', (_, address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows public %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

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
