import { evalSources } from '../../../test/support/eval-pages';
import { Analyzer } from '../../text/analyzer';
import { balanceMarkdown, markdownTableRows, pickQuotes } from './sentence-picker';

const analyzer = new Analyzer('english');

/** The quotes for a question over evaluation pages, extracted and chunked as indexing does. */
function quotes(site: string, paths: string[], question: string, earlier: string[] = []) {
  const sources = evalSources(site, paths);
  const picked = pickQuotes(question, sources, analyzer, earlier);
  return picked.map((quote) => ({
    text: quote.text,
    page: new URL(sources[quote.sourceNumber - 1]?.url ?? 'x:').pathname,
  }));
}

describe('pickQuotes on real extracted pages', () => {
  it('answers "how much" with the amount, not a sentence that only shares words', () => {
    const [first, ...rest] = quotes(
      'kayak',
      ['/location', '/tours/sunset-paddle', '/kids-camp'],
      'How much does the Sunset Paddle cost for a child?',
    );
    expect(first?.page).toBe('/tours/sunset-paddle');
    expect([first, ...rest].map((quote) => quote?.text).join(' ')).toContain('$45');
    expect([first, ...rest].map((quote) => quote?.text).join(' ')).not.toContain('$8 per day');
  });

  it('quotes a table row whole, with its column headers', () => {
    const [first] = quotes(
      'kayak',
      ['/rentals', '/tours'],
      'How much does it cost to rent a tandem kayak for a full day?',
    );
    expect(first?.text).toBe('- Tandem kayak: 1 hour $40, Half day (4 hours) $95, Full day $140');
  });

  it('answers "what time" with the row that holds the time', () => {
    const [first] = quotes(
      'kayak',
      ['/tours/sunset-paddle', '/tours/morning-wildlife'],
      'What time does the sunset paddle leave in July?',
    );
    expect(first?.text).toBe('- July and August: Check-in 7:10 pm, Departure 7:30 pm');
  });

  it('answers "how old" with the age', () => {
    const [first] = quotes(
      'kayak',
      ['/tours/sea-caves', '/tours'],
      'How old do you have to be for the sea caves tour?',
    );
    expect(first?.text).toBe('- Guests must be 14 or older.');
  });

  it('keeps a numbered step its number', () => {
    const [first] = quotes('kayak', ['/what-to-bring', '/safety'], 'What shoes should I wear?');
    expect(first?.text).toMatch(/^2\. Water shoes or old sneakers/);
  });

  it('answers from under a heading that asks the question', () => {
    const [first] = quotes(
      'library',
      ['/library-cards'],
      'What do I need to bring to get a library card?',
    );
    expect(first?.text).toMatch(/photo ID/);
  });

  it('uses earlier questions of the conversation for a follow-up that leaves its topic out', () => {
    const pages = ['/tours', '/rentals', '/kids-camp'];
    const camp = quotes('kayak', pages, 'How much is it?', ['Tell me about the kids paddle camp']);
    expect(camp[0]?.text).toContain('$395');
    const canoe = quotes('kayak', pages, 'How much is it?', ['Can I rent a canoe?']);
    expect(canoe[0]?.text).toContain('- Canoe (up to 3 people): 1 hour $35');
  });

  it('stops at three quotes and about 400 characters after the first', () => {
    const picked = quotes(
      'library',
      ['/hours', '/holiday-closures', '/locations', '/borrowing'],
      'When is the library open?',
    );
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.length).toBeLessThanOrEqual(3);
    const [, ...rest] = picked;
    expect(rest.reduce((sum, quote) => sum + quote.text.length, 0)).toBeLessThanOrEqual(400);
  });

  it('answers "how many" with a count, not with a price that has numbers', () => {
    const [first] = quotes('kayak', ['/careers', '/about'], 'How many guides work for you?');
    expect(first?.text).toContain('14 guides');
  });

  it('prefers the table row about what is asked to a sentence naming it in passing', () => {
    const [first] = quotes('docs', ['/pricing'], 'How much does the Team plan cost?');
    expect(first?.text).toMatch(/^- Team\b/);
  });

  it('answers "what are the hours" with a span of times, not a single time', () => {
    const [first] = quotes(
      'kayak',
      ['/kids-camp', '/tours'],
      'What are the hours of the kids camp?',
    );
    expect(first?.text).toContain('9:00 am to 3:00 pm');
  });

  it('answers "what is the number" with a phone number', () => {
    const [first] = quotes('kayak', ['/contact', '/location'], "What's the shop's contact number?");
    expect(first?.text).toMatch(/555-0143/);
  });

  it('answers "where" in docs with the folder', () => {
    const [first] = quotes(
      'docs',
      ['/docs/quickstart', '/docs/deploy'],
      'Where does quill build put the output?',
    );
    expect(first?.text).toContain('dist');
  });

  it('finds the passage a question names by its heading, though it never says "fix"', () => {
    const [first] = quotes(
      'docs',
      ['/support', '/docs/troubleshooting', '/changelog'],
      'How do I fix EADDRINUSE?',
    );
    expect(first?.page).toBe('/docs/troubleshooting');
    expect(first?.text).toContain('--port');
  });

  it('reads a follow-up made only of words of its answer kind with the earlier topic', () => {
    const pages = ['/tours/sea-caves', '/rentals', '/booking'];
    const [first] = quotes('kayak', pages, 'How long does it last?', [
      'Tell me about the sea cave adventure',
    ]);
    expect(first?.page).toBe('/tours/sea-caves');
    expect(first?.text).toMatch(/4 hours|four hours/i);
  });

  it('reads a follow-up that points back ("it") with the earlier topic at full weight', () => {
    const pages = ['/museum-passes', '/borrowing', '/library-cards'];
    const [first] = quotes('library', pages, 'How long can I keep it?', [
      "I'd like to borrow a museum pass",
    ]);
    expect(first?.page).toBe('/museum-passes');
  });

  it('finds nothing to quote when nothing matches', () => {
    expect(quotes('kayak', ['/tours'], 'Quantum chromodynamics?')).toEqual([]);
    expect(pickQuotes('anything', [], analyzer)).toEqual([]);
  });
});

describe('markdownTableRows', () => {
  it('labels a GFM table row with its column headers', () => {
    const table = [
      '| Variable | Default | Meaning |',
      '| --- | --- | --- |',
      '| `RETRIEVAL_TOP_K` | `5` | Passages given to the answerer. |',
      '| `BM25_B` | `0.75` | Length normalisation, 0 to 1. |',
    ].join('\n');
    expect(markdownTableRows(table)).toEqual([
      '`RETRIEVAL_TOP_K`: Default `5`, Meaning Passages given to the answerer.',
      '`BM25_B`: Default `0.75`; Meaning Length normalisation, 0 to 1.',
    ]);
  });
});

describe('balanceMarkdown', () => {
  it('removes emphasis and code marks a sentence cut left unpaired', () => {
    expect(balanceMarkdown('Tours are **free for kids.')).toBe('Tours are free for kids.');
    expect(balanceMarkdown('Run `quill dev and wait.')).toBe('Run quill dev and wait.');
    expect(balanceMarkdown('Both **bold** and `code` stay.')).toBe(
      'Both **bold** and `code` stay.',
    );
  });

  it('keeps a whole link and unwraps one the cut broke', () => {
    expect(balanceMarkdown('See [the tours](https://x.test/tours).')).toBe(
      'See [the tours](https://x.test/tours).',
    );
    expect(balanceMarkdown('the tours](https://x.test/tours) and [more')).toBe(
      'the tours(https://x.test/tours) and more',
    );
  });
});
