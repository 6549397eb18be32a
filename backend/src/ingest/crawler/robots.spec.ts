import { MAX_CRAWL_DELAY_MS, parseRobots } from './robots';

describe('parseRobots', () => {
  const text = [
    'User-agent: *',
    'Disallow: /private/',
    'Crawl-delay: 2',
    '',
    'User-agent: LoreChat',
    'Disallow: /no-bots/',
    'Allow: /no-bots/except-this',
    'Crawl-delay: 0.5',
    '',
    'Sitemap: https://example.com/sitemap.xml',
  ].join('\n');
  const policy = parseRobots('https://example.com/robots.txt', text);

  it('applies the group for our user agent, with Allow overriding a shorter Disallow', () => {
    expect(policy.isAllowed('https://example.com/no-bots/page')).toBe(false);
    expect(policy.isAllowed('https://example.com/no-bots/except-this')).toBe(true);
    // Our own group replaces the * group entirely, as RFC 9309 says.
    expect(policy.isAllowed('https://example.com/private/page')).toBe(true);
    expect(policy.crawlDelayMs).toBe(500);
  });

  it('falls back to the * group and reads Sitemap lines', () => {
    const starOnly = parseRobots(
      'https://example.com/robots.txt',
      'User-agent: *\nDisallow: /private/\nSitemap: https://example.com/s.xml',
    );
    expect(starOnly.isAllowed('https://example.com/private/x')).toBe(false);
    expect(starOnly.isAllowed('https://example.com/public')).toBe(true);
    expect(starOnly.sitemaps).toEqual(['https://example.com/s.xml']);
  });

  // Regression (issue 19, finding 6): a Crawl-delay of a day was waited between every two requests.
  it('caps Crawl-delay at 30 s and ignores one it cannot read', () => {
    const slow = parseRobots('https://example.com/robots.txt', 'User-agent: *\nCrawl-delay: 86400');
    expect(slow.crawlDelayMs).toBe(MAX_CRAWL_DELAY_MS);
    expect(MAX_CRAWL_DELAY_MS).toBe(30_000);
    const junk = parseRobots('https://example.com/robots.txt', 'User-agent: *\nCrawl-delay: soon');
    expect(junk.crawlDelayMs).toBeUndefined();
  });
});
