import { type Block, type Inline, parseMarkdown, plainText, safeHref } from '../src/markdown';

const text = (value: string): Inline => ({ type: 'text', text: value });
const paragraph = (...children: Inline[]): Block => ({ type: 'paragraph', children });
/** The inline content of a one-paragraph answer. */
const inline = (markdown: string): Inline[] => {
  const blocks = parseMarkdown(markdown);
  expect(blocks).toHaveLength(1);
  const [block] = blocks;
  if (block?.type !== 'paragraph') throw new Error(`expected a paragraph, got ${block?.type}`);
  return block.children;
};

describe('parseMarkdown blocks', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    expect(parseMarkdown('First line\nsecond line\n\n\nNext paragraph')).toEqual([
      paragraph(text('First line'), { type: 'break' }, text('second line')),
      paragraph(text('Next paragraph')),
    ]);
  });

  it('reads headings as their text', () => {
    expect(parseMarkdown('## Deploy *now* ##')).toEqual([
      {
        type: 'heading',
        children: [text('Deploy '), { type: 'emphasis', children: [text('now')] }],
      },
    ]);
    expect(parseMarkdown('#hashtag')).toEqual([paragraph(text('#hashtag'))]);
  });

  it('keeps fenced code verbatim, Markdown and HTML included', () => {
    expect(parseMarkdown('Run:\n```sh\nnpm *start* <b>\n\n  indented\n```\nDone.')).toEqual([
      paragraph(text('Run:')),
      { type: 'code', text: 'npm *start* <b>\n\n  indented' },
      paragraph(text('Done.')),
    ]);
  });

  it('runs an unclosed fence to the end, as while an answer streams', () => {
    expect(parseMarkdown('~~~\nline one\nline two')).toEqual([
      { type: 'code', text: 'line one\nline two' },
    ]);
  });

  it('reads bullet and numbered lists, with their start number', () => {
    expect(parseMarkdown('Steps:\n3. Install\n4. Run **it**\n\n- a\n* b')).toEqual([
      paragraph(text('Steps:')),
      {
        type: 'list',
        ordered: true,
        start: 3,
        items: [
          [paragraph(text('Install'))],
          [paragraph(text('Run '), { type: 'strong', children: [text('it')] })],
        ],
      },
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [[paragraph(text('a'))], [paragraph(text('b'))]],
      },
    ]);
  });

  it('nests indented lists and keeps continuation lines in their item', () => {
    expect(
      parseMarkdown('1. Configure\n   - set `PORT`\n   - set `HOST`\n2. Start\n   with npm'),
    ).toEqual([
      {
        type: 'list',
        ordered: true,
        start: 1,
        items: [
          [
            paragraph(text('Configure')),
            {
              type: 'list',
              ordered: false,
              start: 1,
              items: [
                [paragraph(text('set '), { type: 'code', text: 'PORT' })],
                [paragraph(text('set '), { type: 'code', text: 'HOST' })],
              ],
            },
          ],
          [paragraph(text('Start'), { type: 'break' }, text('with npm'))],
        ],
      },
    ]);
  });

  it('ends a list at a blank line followed by a paragraph', () => {
    expect(parseMarkdown('- one\n- two\n\nAfter the list.')).toEqual([
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [[paragraph(text('one'))], [paragraph(text('two'))]],
      },
      paragraph(text('After the list.')),
    ]);
  });

  it('keeps a loose list (blank lines between items) as one list', () => {
    const [list] = parseMarkdown('- one\n\n- two\n\n- three');
    expect(list).toMatchObject({ type: 'list', items: [[{}], [{}], [{}]] });
  });

  it('stops nesting at a bounded depth, whatever the input', () => {
    const deep = Array.from({ length: 200 }, (_, level) => `${'  '.repeat(level)}- level ${level}`);
    let depth = 0;
    let blocks = parseMarkdown(deep.join('\n'));
    while (blocks.some((block) => block.type === 'list')) {
      depth += 1;
      const list = blocks.find((block) => block.type === 'list');
      blocks = list?.type === 'list' ? list.items.flat() : [];
    }
    expect(depth).toBeLessThanOrEqual(8);
    expect(plainText(parseMarkdown(deep.join('\n')))).toContain('level 199');
  });
});

describe('parseMarkdown inline', () => {
  it('reads emphasis, strong, both, and code spans', () => {
    expect(inline('*a* _b_ **c** __d__ ***e*** `f *g*`')).toEqual([
      { type: 'emphasis', children: [text('a')] },
      text(' '),
      { type: 'emphasis', children: [text('b')] },
      text(' '),
      { type: 'strong', children: [text('c')] },
      text(' '),
      { type: 'strong', children: [text('d')] },
      text(' '),
      { type: 'strong', children: [{ type: 'emphasis', children: [text('e')] }] },
      text(' '),
      { type: 'code', text: 'f *g*' },
    ]);
  });

  it('nests strong inside emphasis', () => {
    expect(inline('*see **this** now*')).toEqual([
      {
        type: 'emphasis',
        children: [text('see '), { type: 'strong', children: [text('this')] }, text(' now')],
      },
    ]);
  });

  it('leaves unmatched or spaced delimiters and snake_case as written', () => {
    expect(inline('2 * 3 * 4, **open, snake_case_name, `tick')).toEqual([
      text('2 * 3 * 4, **open, snake_case_name, `tick'),
    ]);
  });

  it('honours backslash escapes', () => {
    expect(inline('\\*not emphasis\\* and \\[1\\]')).toEqual([text('*not emphasis* and [1]')]);
  });

  it('reads citation markers', () => {
    expect(inline('Deploy with Pulumi [1][2].')).toEqual([
      text('Deploy with Pulumi '),
      { type: 'citation', number: 1 },
      { type: 'citation', number: 2 },
      text('.'),
    ]);
  });

  it('reads links, autolinks and bare URLs, without trailing punctuation', () => {
    expect(
      inline(
        'See [the *docs*](https://example.com/a_(b)), <mailto:help@example.com> or https://example.com/x.',
      ),
    ).toEqual([
      text('See '),
      {
        type: 'link',
        href: 'https://example.com/a_(b)',
        children: [text('the '), { type: 'emphasis', children: [text('docs')] }],
      },
      text(', '),
      {
        type: 'link',
        href: 'mailto:help@example.com',
        children: [text('mailto:help@example.com')],
      },
      text(' or '),
      { type: 'link', href: 'https://example.com/x', children: [text('https://example.com/x')] },
      text('.'),
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '/relative/path',
    '//example.com/protocol-relative',
  ])('turns a link to %j into its plain text', (destination) => {
    const nodes = inline(`[click me](${destination})`);
    expect(nodes.some((node) => node.type === 'link')).toBe(false);
    expect(plainText([paragraph(...nodes)])).toContain('click me');
  });

  it('keeps HTML and entities as text', () => {
    const html = '<img src=x onerror="alert(1)"> &lt;b&gt; &amp; <script>alert(1)</script>';
    expect(inline(html)).toEqual([text(html)]);
  });
  // How much work hostile input costs is counted in markdown-work.spec.ts.
});

describe('safeHref', () => {
  it('allows http, https and mailto only, normalised', () => {
    expect(safeHref('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
    expect(safeHref('http://example.com')).toBe('http://example.com/');
    expect(safeHref('mailto:someone@example.com')).toBe('mailto:someone@example.com');
    expect(safeHref('ftp://example.com')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
  });
});

describe('plainText', () => {
  it('gives what a screen reader should say: text without markup, blocks on their own lines', () => {
    expect(
      plainText(parseMarkdown('**Run** `npm start` [1].\n\n- one\n- two\n\n```\ncode\n```')),
    ).toBe('Run npm start [1].\none\ntwo\ncode');
  });
});

describe('links whose text is an address', () => {
  // Regression (issue 19, finding 6): the text said one site and the link opened another.
  it.each([
    ['[https://bank.example/login](https://evil.example/login)', 'https://evil.example/login'],
    ['[bank.example](https://evil.example/)', 'https://evil.example/'],
    ['[www.bank.example/help](http://evil.example)', 'http://evil.example/'],
    ['[support@bank.example](mailto:thief@evil.example)', 'mailto:thief@evil.example'],
    ['[example.com](https://example.com/a/b)', 'https://example.com/a/b'],
  ])('shows %s with the address it really opens', (markdown, destination) => {
    expect(inline(markdown)).toEqual([
      { type: 'link', href: destination, children: [text(destination)] },
    ]);
  });

  it.each([
    '[the docs](https://evil.example/)',
    '[example.com](https://example.com)',
    '[https://example.com/a](https://example.com/a)',
    '[help@example.com](mailto:help@example.com)',
    '[v1.2](https://example.com/releases)',
  ])('keeps the text of %s, which is where it goes or names no address', (markdown) => {
    const [link] = inline(markdown);
    expect(link?.type === 'link' && plainText([paragraph(...link.children)])).toBe(
      /^\[([^\]]*)\]/.exec(markdown)?.[1],
    );
  });
});
