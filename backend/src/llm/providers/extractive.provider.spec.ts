import { guardStream } from '../stream-guard';
import { type LlmEvent, type NumberedSource } from '../llm-provider';
import { Analyzer } from '../../text/analyzer';
import { evalSources } from '../../../test/support/eval-pages';
import {
  composeAnswer as compose,
  ExtractiveProvider,
  NOT_FOUND_ANSWER,
} from './extractive.provider';
import { MAX_QUOTE_CHARS } from './sentence-picker';

const analyzer = new Analyzer('english');
const composeAnswer = (question: string, sources: NumberedSource[], earlier: string[] = []) =>
  compose(question, sources, analyzer, earlier);

const sources: NumberedSource[] = [
  {
    number: 1,
    url: 'http://localhost:3000/docs/deployment.md#deploy-to-production',
    title: 'Deployment › Deploy to production',
    text: [
      'Production runs on AWS. The prod stack is multi-AZ.',
      'To deploy to production, preview the change and then apply it:',
      '```bash\npulumi up -s prod\n```',
      'Budgets alert you by email.',
    ].join('\n\n'),
  },
  {
    number: 2,
    url: 'http://localhost:3000/docs/widget.md#add-the-widget',
    title: 'Widget',
    text: '- Paste the script tag before the closing body tag.\n- Reload the page.',
  },
];

describe('ExtractiveProvider', () => {
  it('quotes the best sentence first, with its citation and the command it introduces', () => {
    const answer = composeAnswer('How do I deploy to production?', sources);
    expect(answer).toMatch(
      /^To deploy to production, preview the change and then apply it: \[1\]\n\n```bash\npulumi up -s prod\n```/,
    );
    expect(answer).not.toContain('Budgets');
    expect(answer).toMatch(/Offline answer/);
  });

  // Regression (issue 19, finding 3): a unit without sentence breaks was quoted whole, however long.
  it('quotes at most MAX_QUOTE_CHARS of a run-on paragraph, cut at a word', () => {
    const runOn = `Deploy production ${'with many clauses and no full stop '.repeat(500)}`;
    const answer = composeAnswer('How do I deploy to production?', [
      { number: 1, url: 'http://localhost:3000/docs/a.md', title: 'A', text: runOn },
    ]);
    const quote = answer.split(' [1]')[0] ?? '';
    expect(quote.length).toBeLessThanOrEqual(MAX_QUOTE_CHARS + 1);
    expect(quote).toMatch(/^Deploy production with many clauses [a-z ]* [a-z]+…$/);
  });

  it('shows a command repeated across pages once', () => {
    const twice: NumberedSource = { ...sources[0]!, number: 2, url: 'http://localhost:3000/other' };
    const answer = composeAnswer('deploy to production', [sources[0]!, twice]);
    expect(answer.match(/pulumi up -s prod/g)).toHaveLength(1);
  });

  it('quotes list items one by one', () => {
    const answer = composeAnswer('where do I paste the script tag?', sources);
    expect(answer).toContain('Paste the script tag before the closing body tag. [2]');
    expect(answer).not.toContain('Reload');
  });

  it('says plainly when the passages do not answer the question, quoting nothing', () => {
    expect(composeAnswer('What is the capital of Peru?', sources)).toBe(NOT_FOUND_ANSWER);
    expect(composeAnswer('anything', [])).toBe(NOT_FOUND_ANSWER);
    const kayak = evalSources('kayak', ['/rentals', '/faq', '/safety']);
    expect(composeAnswer('Do you offer scuba diving certification?', kayak)).toBe(NOT_FOUND_ANSWER);
    expect(composeAnswer('Can I rent a jet ski?', kayak)).toBe(NOT_FOUND_ANSWER);
  });

  it('answers a table question from a real page in one short cited quote', () => {
    const answer = composeAnswer(
      'How much does it cost to rent a tandem kayak for a full day?',
      evalSources('kayak', ['/rentals', '/faq']),
    );
    expect(answer).toMatch(
      /^- Tandem kayak: 1 hour \$40, Half day \(4 hours\) \$95, Full day \$140 \[\d\]/,
    );
    expect(answer.length).toBeLessThan(400);
  });

  it("answers a follow-up from the conversation's earlier question", () => {
    const answer = composeAnswer(
      'How much is it?',
      evalSources('kayak', ['/tours', '/kids-camp']),
      ['Tell me about the kids paddle camp'],
    );
    expect(answer).toMatch(/^One week of camp costs \$395\. \[\d\]/);
  });

  it('says when the quote is in another language than the question, in its language', () => {
    const answer = composeAnswer(
      '¿Cuánto cuesta el Sunset Paddle?',
      evalSources('kayak', ['/tours/sunset-paddle']),
    );
    expect(answer).toContain('$72');
    expect(answer).toContain('_El texto citado está en inglés._');
    const english = composeAnswer(
      'How much is the Sunset Paddle?',
      evalSources('kayak', ['/tours/sunset-paddle']),
    );
    expect(english).not.toMatch(/quoted text is in/);
  });

  it('reads a question asked on a page ("what does this cost?") with that page\'s title', async () => {
    const events: LlmEvent[] = [];
    const stream = new ExtractiveProvider(analyzer).stream(
      {
        system: '',
        messages: [],
        question: 'What does this cost?',
        sources: evalSources('kayak', ['/tours/sea-caves', '/kids-camp', '/location']),
        page: {
          url: 'https://shop.example/tours/sea-caves',
          title: 'Sea Cave Adventure | Bluewater Bay Kayak Co.',
        },
      },
      new AbortController().signal,
    );
    for await (const event of stream) events.push(event);
    const answer = events.map((event) => (event.type === 'token' ? event.text : '')).join('');
    expect(answer).toMatch(/^\$98 per person\. \[\d\]/);
  });

  it('streams the answer word by word and ends with usage', async () => {
    const events: LlmEvent[] = [];
    const stream = guardStream(
      (signal) =>
        new ExtractiveProvider(analyzer).stream(
          { system: '', messages: [], question: 'deploy to production', sources },
          signal,
        ),
      { idleTimeoutMs: 1000, signal: new AbortController().signal },
    );
    for await (const event of stream) events.push(event);
    const tokens = events.filter((event) => event.type === 'token');
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens.map((event) => event.text).join('')).toBe(
      composeAnswer('deploy to production', sources),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'usage',
      usage: { outputTokens: expect.any(Number) },
    });
  });
});
