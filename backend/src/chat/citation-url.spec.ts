import { type ScoredChunk } from '../vector-store/chunk';
import { BUNDLED_DOCS_ORIGIN } from '../common/bundled-docs';
import { pageTitle } from '../text/markdown-text';
import { citationUrl, indexedUrlOf, servedUrl, textFragment } from './citation-url';
import { numberSources } from './prompt';

const chunk = (
  url: string,
  title: string,
  text: string,
  headingPath: string[] = [],
): ScoredChunk => ({
  score: 1,
  chunk: {
    id: url,
    documentUrl: url.split('#')[0] ?? url,
    site: 'x',
    url,
    position: 0,
    title,
    headingPath,
    text,
    language: 'en',
    contentHash: '',
    indexVersion: 1,
  },
});

describe('citation links, built when served', () => {
  it('puts the bundled docs under PUBLIC_URL as configured now, keeping their anchor', () => {
    expect(
      citationUrl(
        `${BUNDLED_DOCS_ORIGIN}/docs/widget.md#add-the-widget`,
        'x',
        'https://chat.example.com/',
      ),
    ).toBe('https://chat.example.com/docs/widget.md#add-the-widget');
  });

  it('reads a bundled docs page the visitor is on as the page the index holds, and back', () => {
    const indexed = `${BUNDLED_DOCS_ORIGIN}/docs/widget.md`;
    const served = 'https://chat.example.com/lorechat/docs/widget.md';
    expect(indexedUrlOf(served, 'https://chat.example.com/lorechat/')).toBe(indexed);
    expect(servedUrl(indexed, 'https://chat.example.com/lorechat/')).toBe(served);
    // Pages of the site itself, and pages beside the docs, are indexed as they are served.
    expect(indexedUrlOf('https://shop.example/docs/a', 'https://chat.example.com')).toBe(
      'https://shop.example/docs/a',
    );
    expect(indexedUrlOf('https://chat.example.com/docsearch', 'https://chat.example.com')).toBe(
      'https://chat.example.com/docsearch',
    );
  });

  it("links a section without an anchor of its own to the passage's words", () => {
    expect(
      citationUrl(
        'https://shop.example/rentals',
        '- Single kayak: 1 hour $25\n\nRenters must stay inside the bay, east of the Gull Islands. The open water is for tours.',
        'https://chat.example.com',
      ),
    ).toBe(
      'https://shop.example/rentals#:~:text=Renters%20must%20stay%20inside%20the%20bay%2C%20east%20of',
    );
    expect(textFragment('Read the [check-in rules](https://x.test/a) *first*, please.')).toBe(
      'Read%20the%20check%2Din%20rules%20first%2C%20please',
    );
    expect(textFragment('- only\n\n- a list')).toBeUndefined();
    expect(citationUrl('https://shop.example/a', '- only a list', '')).toBe(
      'https://shop.example/a',
    );
  });

  it('drops the site name after a page title', () => {
    expect(pageTitle('Tours and prices | Bluewater Bay Kayak Co.')).toBe('Tours and prices');
    expect(pageTitle('Quillmark 3.2: AVIF images — Quillmark Blog')).toBe(
      'Quillmark 3.2: AVIF images',
    );
    expect(pageTitle('Wi-Fi and computers')).toBe('Wi-Fi and computers');
  });

  it('numbers sources with those links and titles, sections of one URL sharing a number', () => {
    const sources = numberSources(
      [
        chunk('https://shop.example/tours#prices', 'Tours | Shop', 'Adults pay $72.', [
          'Tours',
          'Prices',
        ]),
        chunk('https://shop.example/faq', 'FAQ | Shop', 'Dogs are not allowed on tours.'),
        chunk('https://shop.example/tours#prices', 'Tours | Shop', 'Children pay $45.', [
          'Tours',
          'Prices',
        ]),
      ],
      'https://chat.example.com',
    );
    expect(sources).toEqual([
      expect.objectContaining({
        number: 1,
        url: 'https://shop.example/tours#prices',
        title: 'Tours › Prices',
        text: 'Adults pay $72.\n\nChildren pay $45.',
      }),
      expect.objectContaining({
        number: 2,
        url: 'https://shop.example/faq#:~:text=Dogs%20are%20not%20allowed%20on%20tours',
        title: 'FAQ',
      }),
    ]);
  });
});
