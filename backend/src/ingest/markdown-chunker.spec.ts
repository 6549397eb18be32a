import fc from 'fast-check';
import { estimateTokens } from '../text/tokens';
import { chunkId, chunkMarkdown, cutText, markdownTitle, slugify } from './markdown-chunker';

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

  it('does not overlap sections that fit, and keeps a code fence that fits whole', () => {
    const code = [
      '```ts',
      ...Array.from({ length: 24 }, (_, i) => `const line${i} = ${i};`),
      '```',
    ];
    const before = 'Before: this paragraph introduces the code below.';
    const markdown = ['## Short', 'One short paragraph.', '## Code', before, code.join('\n')];
    const chunks = chunkMarkdown(markdown.join('\n\n'), page.url, options);
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      'One short paragraph.',
      before,
      code.join('\n'),
    ]);
  });

  it('cuts an over-long code fence between lines, each piece a whole fence in its language', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `const line${i} = ${i};`);
    const code = ['```ts', ...lines, '```'].join('\n');
    const chunks = chunkMarkdown(`## Code\n\n${code}`, page.url, options);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(options.maxTokens);
      expect(chunk.text).toMatch(/^```ts\n[^`]+\n```$/);
    }
    const kept = chunks.flatMap((chunk) => chunk.text.split('\n').slice(1, -1));
    for (const line of lines) expect(kept).toContain(line);
  });

  // Regression (issue 19, finding 3): a paragraph without sentence breaks was one chunk, however
  // long, and the answerer then quoted all of it.
  it('cuts a paragraph without sentence breaks between words, and a run without spaces anywhere', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i}`);
    const chunks = chunkMarkdown(`## Run-on\n\n${words.join(' ')}`, page.url, options);
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.every((chunk) => estimateTokens(chunk.text) <= options.maxTokens)).toBe(true);
    const kept = new Set(chunks.flatMap((chunk) => chunk.text.split(' ')));
    expect(words.every((word) => kept.has(word))).toBe(true);

    const blob = 'QUJD'.repeat(5000);
    const pieces = chunkMarkdown(blob, page.url, options).map((chunk) => chunk.text);
    expect(pieces.every((piece) => estimateTokens(piece) <= options.maxTokens)).toBe(true);
    expect(pieces.join('')).toBe(blob);
  });

  it('never cuts inside a surrogate pair', () => {
    const emoji = '\u{1F600}'.repeat(1000);
    const pieces = cutText(emoji, 101);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((piece) => piece.length <= 101 && !/^[\uDC00-\uDFFF]/.test(piece))).toBe(
      true,
    );
  });

  // Regression: the heading pattern backtracked cubically on trailing spaces (5,000 took 28 s).
  it('reads a heading followed by many spaces in one pass', () => {
    const hostile = `# Title${' '.repeat(20_000)}x\n\nText.`;
    expect(chunkMarkdown(hostile, page.url)[0]?.headingPath[0]).toMatch(/^Title +x$/);
    expect(markdownTitle(hostile)).toMatch(/^Title +x$/);
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
    expect(markdownTitle('Intro\n\n## Sub\n\n# The Title ##\n')).toBe('The Title');
    expect(markdownTitle('# C#\n')).toBe('C#');
    expect(markdownTitle('#hashtag\n')).toBeUndefined();
    expect(markdownTitle('intro\n# Quick start\n## x')).toBe('Quick start');
    expect(slugify('Deploy to production (AWS)!')).toBe('deploy-to-production-aws');
  });
});

describe('chunkMarkdown on generated hostile pages (fast-check)', () => {
  /** Cases per run (reported in docs/security.md). */
  const RUNS = 500;
  const markup = [
    '#',
    '## ',
    '###### ',
    '```',
    '```js',
    '~~~',
    '\n',
    '\n\n',
    ' ',
    '  ',
    '- ',
    '1. ',
    '|',
    '`',
    '*',
    '.',
    '. ',
    '!',
    '?',
    '\t',
    '\r\n',
    '<p>',
    '\u{1F600}',
    'x'.repeat(3000),
    ' '.repeat(2000),
    '#'.repeat(500),
    '.'.repeat(2000),
  ];
  /** A page of markup and numbered words; each word `qNq` of its text must reach some chunk. */
  const page = fc
    .array(fc.oneof(fc.constantFrom(...markup), fc.constant('word')), { maxLength: 600 })
    .map((parts) => parts.map((part, index) => (part === 'word' ? ` q${index}q ` : part)).join(''));

  it('keeps every chunk within the limit and every word of the page', () => {
    fc.assert(
      fc.property(page, fc.constantFrom(50, 120, 400), (markdown, maxTokens) => {
        const chunks = chunkMarkdown(markdown, 'https://example.com/p', {
          maxTokens,
          overlapTokens: Math.floor(maxTokens / 8),
        });
        for (const chunk of chunks)
          expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(maxTokens);
        const kept = chunks
          .map((chunk) => `${chunk.headingPath.join(' ')} ${chunk.text}`)
          .join(' ');
        // A heading with nothing under it makes no chunk: its words need not be kept.
        const body = markdown
          .split(/\r?\n/)
          .filter((line) => !/^#{1,6}\s/.test(line))
          .join('\n');
        for (const word of body.match(/q\d+q/g) ?? []) expect(kept).toContain(word);
      }),
      { numRuns: RUNS },
    );
  });
});
