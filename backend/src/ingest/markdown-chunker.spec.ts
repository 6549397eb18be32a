import { estimateTokens } from '../text/tokens';
import { chunkId, chunkMarkdown, markdownTitle, slugify } from './markdown-chunker';

const page = { url: 'http://localhost:3000/docs/deployment.md' };

describe('chunkMarkdown', () => {
  const markdown = [
    '# Deployment',
    '',
    'Intro paragraph.',
    '',
    '## Deploy to production',
    '',
    'Preview first, then apply:',
    '',
    '```bash',
    '# not a heading',
    'pulumi up -s prod',
    '```',
    '',
    '### Roll back',
    '',
    'Re-deploy the previous image.',
  ].join('\n');

  it('cuts one chunk per section, with its heading path and section anchor', () => {
    const chunks = chunkMarkdown(markdown, page.url);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.url])).toEqual([
      [['Deployment'], `${page.url}#deployment`],
      [['Deployment', 'Deploy to production'], `${page.url}#deploy-to-production`],
      [['Deployment', 'Deploy to production', 'Roll back'], `${page.url}#roll-back`],
    ]);
    expect(chunks[1]?.text).toContain('# not a heading\npulumi up -s prod');
  });

  it("links a crawled page's sections only by the anchors the page gives its headings", () => {
    const crawled = '## Prices {#rates}\n\nAdults pay $72.\n\n## Schedule\n\nDaily at 7 pm.';
    const explicit = chunkMarkdown(crawled, 'https://shop.example/tour', undefined, 'explicit');
    expect(explicit.map((chunk) => [chunk.headingPath, chunk.url])).toEqual([
      [['Prices'], 'https://shop.example/tour#rates'],
      [['Schedule'], 'https://shop.example/tour'],
    ]);
    const slugged = chunkMarkdown(crawled, 'https://shop.example/tour');
    expect(slugged.map((chunk) => chunk.url)).toEqual([
      'https://shop.example/tour#rates',
      'https://shop.example/tour#schedule',
    ]);
  });

  it('gives chunks ids that depend only on the page and the position', () => {
    expect(chunkId(page.url, 1)).toBe(chunkId(page.url, 1));
    expect(chunkId(page.url, 1)).not.toBe(chunkId(page.url, 2));
    expect(chunkId(page.url, 1)).not.toBe(chunkId(`${page.url}x`, 1));
  });

  it('splits long sections between blocks', () => {
    const long = ['## Big', 'a'.repeat(80), 'b'.repeat(80), 'c'.repeat(80)].join('\n\n');
    const chunks = chunkMarkdown(long, page.url, { maxTokens: 43, overlapTokens: 0 });
    expect(chunks.map((chunk) => chunk.text.length)).toEqual([162, 80]);
    expect(chunks.every((chunk) => chunk.url.endsWith('#big'))).toBe(true);
  });

  /** Sentence n of a long section: about 10 tokens, distinguishable by its number. */
  const sentence = (n: number) => `Sentence ${n} says something about topic ${n}.`;
  const paragraphs = Array.from({ length: 12 }, (_, p) =>
    Array.from({ length: 4 }, (_, s) => sentence(p * 4 + s)).join(' '),
  );
  const longSection = ['## Long', ...paragraphs].join('\n\n');
  const options = { maxTokens: 120, overlapTokens: 25 };

  it('starts each piece of a split section with whole sentences from the end of the previous', () => {
    const chunks = chunkMarkdown(longSection, page.url, options);
    expect(chunks.length).toBeGreaterThan(2);
    for (const [index, chunk] of chunks.entries()) {
      const previous = chunks[index - 1];
      if (!previous) continue;
      const firstSentence = /^Sentence \d+ [^.]*\./.exec(chunk.text)?.[0];
      expect(firstSentence).toBeDefined();
      expect(previous.text).toContain(firstSentence);
      const overlap = previous.text.slice(previous.text.indexOf(firstSentence ?? ''));
      expect(chunk.text.startsWith(overlap)).toBe(true);
      expect(estimateTokens(overlap)).toBeLessThanOrEqual(options.overlapTokens);
    }
  });

  it('keeps every piece within the size limit, and loses no sentence', () => {
    const chunks = chunkMarkdown(longSection, page.url, options);
    expect(chunks.every((chunk) => estimateTokens(chunk.text) <= options.maxTokens)).toBe(true);
    const text = chunks.map((chunk) => chunk.text).join(' ');
    for (let n = 0; n < 48; n += 1) expect(text).toContain(sentence(n));
  });

  it('cuts an oversized paragraph between sentences', () => {
    const chunks = chunkMarkdown(`## One\n\n${paragraphs.join(' ')}`, page.url, options);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => estimateTokens(chunk.text) <= options.maxTokens)).toBe(true);
    expect(chunks.every((chunk) => /^Sentence \d+ .*\.$/s.test(chunk.text))).toBe(true);
  });

  it('does not overlap sections that fit, and never cuts a code fence', () => {
    const code = [
      '```ts',
      ...Array.from({ length: 40 }, (_, i) => `const line${i} = ${i};`),
      '```',
    ];
    const markdown = ['## Short', 'One short paragraph.', '## Code', 'Before.', code.join('\n')];
    const chunks = chunkMarkdown(markdown.join('\n\n'), page.url, options);
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      'One short paragraph.',
      'Before.',
      code.join('\n'),
    ]);
  });

  it('cuts the same text into the same pieces, so positions and ids stay stable', () => {
    const ids = (markdown: string) =>
      chunkMarkdown(markdown, page.url, options).map((chunk, position) => [
        chunkId(page.url, position),
        chunk.text,
      ]);
    expect(ids(longSection)).toEqual(ids(longSection));
    expect(ids(`${longSection}\n\n## Appended\n\nNew text.`).slice(0, -1)).toEqual(
      ids(longSection),
    );
  });
});

describe('markdown helpers', () => {
  it('reads the title and makes GitHub-style anchors', () => {
    expect(markdownTitle('intro\n# Quick start\n## x')).toBe('Quick start');
    expect(slugify('Deploy to production (AWS)!')).toBe('deploy-to-production-aws');
  });
});
