/**
 * How much work the Markdown parser does, counted rather than timed: every `charAt`, every
 * character an `indexOf` scans and every regular-expression match it starts (split, replace and
 * test go through `exec`) are counted while it runs. A parser linear in its input stays within a
 * small multiple of the input's length, however hostile the input; the quadratic one this replaced
 * needed about a billion steps for 30,000 `[ `. Generated inputs (fast-check) look for the worst.
 */
import fc from 'fast-check';
import {
  type Block,
  LIVE_PARSE_CHARS,
  parseMarkdown,
  plainText,
  StreamingMarkdown,
} from '../src/markdown';

/** Steps per input character that a linear parser stays under (measured: 8 to 25). */
const STEPS_PER_CHAR = 60;

function countWork<T>(run: () => T): { result: T; work: number } {
  let work = 0;
  const { charAt, indexOf } = String.prototype;
  const { exec } = RegExp.prototype;
  String.prototype.charAt = function (this: string, position: number) {
    work += 1;
    return charAt.call(this, position);
  };
  String.prototype.indexOf = function (this: string, search: string, from = 0) {
    const found = indexOf.call(this, search, from);
    work += (found === -1 ? this.length : found) - from + 1;
    return found;
  };
  RegExp.prototype.exec = function (this: RegExp, input: string) {
    work += 1;
    return exec.call(this, input);
  };
  try {
    return { result: run(), work };
  } finally {
    String.prototype.charAt = charAt;
    String.prototype.indexOf = indexOf;
    RegExp.prototype.exec = exec;
  }
}

/** Inputs built to hit each way a Markdown parser goes quadratic, about `size` characters each. */
const HOSTILE: Record<string, (size: number) => string> = {
  'unclosed [': (size) => '[ '.repeat(size / 2),
  'brackets and parentheses': (size) => '](['.repeat(size / 3),
  'nested brackets': (size) => '['.repeat(size / 2) + ']'.repeat(size / 2),
  'destinations without end': (size) => '[a](' + '('.repeat(size),
  'backtick runs of every length': (size) => {
    let text = '';
    for (let length = 1; text.length < size; length += 1) text += '`'.repeat(length) + 'a';
    return text;
  },
  'unclosed emphasis': (size) => '*a _b **c '.repeat(size / 10),
  'bare URLs that never parse': (size) => 'http://[x'.repeat(size / 9),
  'autolinks that never close': (size) => '<http://x'.repeat(size / 9),
  'closing parentheses after a URL': (size) => `http://example.com/${')'.repeat(size)}`,
  'a list with blank lines': (size) => `- a\n${'\n'.repeat(size)}  b`,
  'a heading with spaces': (size) => `# a${' '.repeat(size)}x`,
  escapes: (size) => '\\['.repeat(size / 2),
  'deep lists': (size) =>
    Array.from({ length: size / 25 }, (_, level) => `${' '.repeat(level % 40)}- x`).join('\n'),
};
const SIZE = 60_000;

describe('the Markdown parser, by work counted', () => {
  // Regression (issue 19, finding 3): 30,000 `[ ` cost 54 s of a page's main thread.
  it.each(Object.entries(HOSTILE))('parses %s in linear work', (_, build) => {
    const text = build(SIZE);
    const { work } = countWork(() => parseMarkdown(text));
    expect(work).toBeLessThan(STEPS_PER_CHAR * text.length);
  });

  it('does proportionally more work for twice the input, not four times more', () => {
    for (const [name, build] of Object.entries(HOSTILE)) {
      const half = countWork(() => parseMarkdown(build(SIZE / 2))).work;
      const whole = countWork(() => parseMarkdown(build(SIZE))).work;
      expect({ name, ratio: whole / half < 2.5 }).toEqual({ name, ratio: true });
    }
  });

  it('never crashes on generated Markdown and stays linear in it (fast-check)', () => {
    const pieces = [
      '[',
      ']',
      '(',
      ')',
      '*',
      '**',
      '_',
      '`',
      '```',
      '~~~',
      '\\',
      ' ',
      '\n',
      '\n\n',
      '#',
      '# ',
      '- ',
      '1. ',
      '  ',
      '<',
      '>',
      'http://a.io',
      'mailto:a@b.io',
      'a',
      '[1]',
      '\t',
      '\r',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 400 }), (parts) => {
        const text = parts.join('');
        const { result, work } = countWork(() => parseMarkdown(text));
        expect(typeof plainText(result)).toBe('string');
        expect(work).toBeLessThan(STEPS_PER_CHAR * (text.length + 10));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Feeds `text` in `chunks` pieces, as tokens arrive; returns the work of each update. */
function stream(text: string, chunks: number): { markdown: StreamingMarkdown; works: number[] } {
  const markdown = new StreamingMarkdown();
  const works: number[] = [];
  for (let chunk = 1; chunk <= chunks; chunk += 1) {
    const end = Math.floor((text.length * chunk) / chunks);
    works.push(countWork(() => markdown.update(text.slice(0, end))).work);
  }
  markdown.update(text, true);
  return { markdown, works };
}

describe('StreamingMarkdown', () => {
  // Regression (issue 19, finding 3): every frame parsed the whole answer again.
  it.each(Object.entries(HOSTILE))('bounds the work of updates while %s streams in', (_, build) => {
    const text = build(SIZE);
    const chunks = 600;
    const { works, markdown } = stream(text, chunks);
    expect([markdown.tail, markdown.rest]).toEqual([[], '']);
    // Linear in all, and each update within the live limit but for the few passes over a
    // long tail that has grown by an eighth (at most log base 9/8 of its growth).
    const bound = STEPS_PER_CHAR * (LIVE_PARSE_CHARS + text.length / chunks);
    expect(works.reduce((sum, work) => sum + work, 0)).toBeLessThan(
      12 * STEPS_PER_CHAR * text.length,
    );
    expect(works.filter((work) => work > bound).length).toBeLessThanOrEqual(
      Math.ceil(Math.log(text.length / LIVE_PARSE_CHARS) / Math.log(1.125)) + 1,
    );
  });

  it('parses a long answer of many paragraphs once, not once per update', () => {
    const paragraph =
      'Deploy with **Pulumi** [1]. Run `pulumi up` and see [the docs](https://x.io).';
    const text = Array.from({ length: 800 }, () => paragraph).join('\n\n');
    let total = 0;
    const markdown = new StreamingMarkdown();
    for (let end = 0; end <= text.length; end += 20) {
      total += countWork(() => markdown.update(text.slice(0, end))).work;
    }
    const once = countWork(() => parseMarkdown(text)).work;
    expect(total).toBeLessThan(12 * once);
  });

  it('ends with exactly the blocks of the whole text, however it arrived (fast-check)', () => {
    const pieces = [
      'para ',
      'two. ',
      '\n',
      '\n\n',
      '- item',
      '1. one',
      '  ',
      '```',
      '~~~',
      '# h',
      '**b**',
      '*',
      '`c`',
      '[l](http://a.io)',
      '[1]',
      '\r\n',
      '> q',
      '    code',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (parts, cuts) => {
          const text = parts.join('');
          const markdown = new StreamingMarkdown();
          const ends = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
            (a, b) => a - b,
          );
          for (const end of ends) {
            markdown.update(text.slice(0, end));
            // While it streams, what is shown is what the text so far says.
            const shown: Block[] = [...markdown.settled, ...(markdown.tail ?? [])];
            if (markdown.tail) expect(shown).toEqual(parseMarkdown(text.slice(0, end)));
          }
          markdown.update(text, true);
          expect(markdown.settled).toEqual(parseMarkdown(text));
          expect([markdown.tail, markdown.rest]).toEqual([[], '']);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
