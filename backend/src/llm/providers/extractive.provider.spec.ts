import { guardStream } from '../stream-guard';
import { type LlmEvent, type NumberedSource } from '../llm-provider';
import { Analyzer } from '../../text/analyzer';
import {
  composeAnswer as compose,
  ExtractiveProvider,
  MAX_QUOTE_CHARS,
} from './extractive.provider';

const analyzer = new Analyzer('english');
const composeAnswer = (question: string, sources: NumberedSource[]) =>
  compose(question, sources, analyzer);

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
  it('quotes the most relevant sentences with citations and the command they introduce', () => {
    const answer = composeAnswer('How do I deploy to production?', sources);
    expect(answer).toContain('To deploy to production, preview the change and then apply it: [1]');
    expect(answer).toContain('```bash\npulumi up -s prod\n```');
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
    expect(answer).toContain('[2]');
  });

  it('quotes list items one by one', () => {
    const answer = composeAnswer('where do I paste the script tag?', sources);
    expect(answer).toContain('Paste the script tag before the closing body tag. [2]');
    expect(answer).not.toContain('Reload');
  });

  it('says plainly when the passages do not answer the question', () => {
    expect(composeAnswer('What is the capital of Peru?', sources)).toMatch(
      /^I couldn't find anything about that/,
    );
    expect(composeAnswer('anything', [])).toMatch(/^I couldn't find/);
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
