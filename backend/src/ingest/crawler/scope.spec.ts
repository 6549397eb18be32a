import { compilePattern, CrawlScope } from './scope';

describe('CrawlScope', () => {
  const base = { roots: ['https://example.com/'], subdomains: false, include: [], exclude: [] };

  it('keeps the crawl on the root hosts unless subdomains are asked for', () => {
    const scope = new CrawlScope(base);
    expect(scope.verdict('https://example.com/a')).toBe('in');
    expect(scope.verdict('https://docs.example.com/a')).toBe('other-site');
    expect(scope.verdict('https://evil-example.com/a')).toBe('other-site');
    const wide = new CrawlScope({ ...base, subdomains: true });
    expect(wide.verdict('https://docs.example.com/a')).toBe('in');
    expect(wide.verdict('https://evil-example.com/a')).toBe('other-site');
  });

  // Regression (issue 19, finding 6): another port of the site's host was crawled as the site.
  it('keeps the crawl on the root ports, counting http and https defaults as one', () => {
    const scope = new CrawlScope(base);
    expect(scope.verdict('https://example.com:8080/admin')).toBe('other-site');
    expect(scope.verdict('http://example.com:6379/')).toBe('other-site');
    expect(scope.verdict('http://example.com/a')).toBe('in');
    expect(scope.verdict('https://example.com:443/a')).toBe('in');
    const wide = new CrawlScope({ ...base, subdomains: true });
    expect(wide.verdict('https://docs.example.com:9200/a')).toBe('other-site');
    const onPort = new CrawlScope({ ...base, roots: ['http://localhost:4000/'] });
    expect(onPort.verdict('http://localhost:4000/docs')).toBe('in');
    expect(onPort.verdict('http://localhost/docs')).toBe('other-site');
    expect(onPort.verdict('http://localhost:4001/docs')).toBe('other-site');
    expect(onPort.owns('http://localhost:4001/docs')).toBe(false);
  });

  it('applies exclude before include, on the path or the whole URL', () => {
    const scope = new CrawlScope({
      ...base,
      include: ['/docs/*', 'https://example.com/faq'],
      exclude: ['/docs/internal/*'],
    });
    expect(scope.verdict('https://example.com/docs/a')).toBe('in');
    expect(scope.verdict('https://example.com/faq')).toBe('in');
    expect(scope.verdict('https://example.com/docs/internal/x')).toBe('excluded');
    expect(scope.verdict('https://example.com/blog/a')).toBe('excluded');
  });

  it('treats pattern characters other than * literally', () => {
    expect(compilePattern('/a.b?c=*').test('/a.b?c=1')).toBe(true);
    expect(compilePattern('/a.b?c=*').test('/aXb?c=1')).toBe(false);
  });
});
