import { EVAL_ORIGIN, extractedEvalPage } from '../../../test/support/eval-pages';

/** These run on the evaluation sites' real pages, extracted as the crawler extracts them. */
describe('HTML pages to Markdown', () => {
  it('keeps each table row with its column headers', () => {
    const tours = extractedEvalPage('kayak', '/tours').markdown;
    expect(tours).toContain(
      `- [Sunset Paddle](${EVAL_ORIGIN}/tours/sunset-paddle): Duration 2 hours, Level Beginner, Adult $72, Child (under 16) $45`,
    );
    const rentals = extractedEvalPage('kayak', '/rentals').markdown;
    expect(rentals).toContain('- Tandem kayak: 1 hour $40, Half day (4 hours) $95, Full day $140');
    expect(rentals).not.toMatch(/\| \$40 \|/);
  });

  it('labels a row whose header row is in the first row of th cells, without thead', () => {
    const schedule = extractedEvalPage('kayak', '/tours/sunset-paddle').markdown;
    expect(schedule).toContain('- July and August: Check-in 7:10 pm, Departure 7:30 pm');
  });

  it('gives two-column tables as "label: value", and keeps a table caption', () => {
    expect(extractedEvalPage('library', '/printing').markdown).toContain(
      '- Colour print or copy: 50¢ per page',
    );
    const borrowing = extractedEvalPage('library', '/borrowing').markdown;
    expect(borrowing).toContain('Loan periods and limits');
    expect(borrowing).toContain(
      '- DVDs and Blu-rays: Loan period 1 week, Renewals 1, Limit per card 10',
    );
  });

  it('keeps inline code in cells and separates values that hold commas', () => {
    const options = extractedEvalPage('docs', '/docs/configuration').markdown;
    expect(options).toContain(
      '- `port`: Type number, Default `4321`, Description The port of `quill dev`.',
    );
    const pricing = extractedEvalPage('docs', '/pricing').markdown;
    expect(pricing).toContain(
      '- Business: Price $49 per editor per month; Sites Unlimited; Pages per site 50,000; Includes SSO (SAML), audit log, priority support',
    );
  });

  it('numbers ordered list items and keeps links absolute', () => {
    const markdown = extractedEvalPage('kayak', '/booking').markdown;
    expect(markdown).toContain(`1. Choose your tour on the [tours page](${EVAL_ORIGIN}/tours).`);
    expect(markdown).toContain('4. Pay in full to confirm your spot.');
    expect(markdown).toMatch(/^## Payment \{#payment\}$/m);
  });

  it('writes a definition list as "term: definition", a FAQ one as question and answer', () => {
    expect(extractedEvalPage('kayak', '/tours/island-explorer').markdown).toContain(
      '- Minimum age: 12 years',
    );
    const faq = extractedEvalPage('library', '/faq').markdown;
    expect(faq).toContain(
      'Can I return books to any branch?\n\nYes. Items can be returned to any branch',
    );
  });

  it("keeps the page's own heading anchors", () => {
    const markdown = extractedEvalPage('kayak', '/safety').markdown;
    expect(markdown).toContain('## Weight limits {#weight-limits}');
  });

  it('drops the chrome: navigation, footer, cookie banner, promotion bar, newsletter, buttons', () => {
    const kayak = extractedEvalPage('kayak', '/tours/sea-caves').markdown;
    expect(kayak).not.toMatch(/EARLYBIRD|cookies|Popular this week|All rights reserved|Careers/);
    const library = extractedEvalPage('library', '/wifi').markdown;
    expect(library).not.toMatch(/newsletter|Subscribe|Skip to main|Home ›/i);
    const docs = extractedEvalPage('docs', '/docs/i18n').markdown;
    expect(docs).not.toMatch(/\bYes No\b|Ctrl\+K|Getting started/);
    expect(docs).toContain('Right-to-left languages');
  });
});
