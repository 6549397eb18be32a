import { normalizeUrl } from './url-normalizer';

describe('normalizeUrl', () => {
  it('drops fragments, tracking parameters, credentials and default ports', () => {
    expect(normalizeUrl('HTTPS://Example.COM:443/a?utm_source=x&b=2&gclid=1&a=1#top')).toBe(
      'https://example.com/a?a=1&b=2',
    );
    expect(normalizeUrl('http://user:pw@example.com:80/?fbclid=abc')).toBe('http://example.com/');
  });

  it('resolves relative links against the page', () => {
    expect(normalizeUrl('../b', 'https://example.com/docs/a/')).toBe('https://example.com/docs/b');
    expect(normalizeUrl('#section', 'https://example.com/docs')).toBe('https://example.com/docs');
  });

  it('keeps trailing slashes, which may name a different page', () => {
    expect(normalizeUrl('https://example.com/docs/')).toBe('https://example.com/docs/');
    expect(normalizeUrl('https://example.com')).toBe('https://example.com/');
  });

  it('refuses what is not a web page address', () => {
    expect(normalizeUrl('mailto:someone@example.com')).toBeUndefined();
    expect(normalizeUrl('javascript:void(0)')).toBeUndefined();
    expect(normalizeUrl('http://')).toBeUndefined();
    expect(normalizeUrl('ftp://example.com/file')).toBeUndefined();
  });
});
