import { type LoggedAnswer } from '../analytics/log-record';
import { Analyzer } from '../text/analyzer';
import { groupQuestions } from './gaps';

let sequence = 0;
function asked(question: string): LoggedAnswer {
  sequence += 1;
  return {
    messageId: `m-${sequence}`,
    conversationId: `c-${sequence}`,
    visitorId: 'v',
    siteKey: 'demo',
    askedAt: sequence,
    question,
    answer: '',
    sources: [],
    outcome: 'not_found',
    provider: 'extractive',
    model: 'extractive',
    inputTokens: 0,
    outputTokens: 0,
    totalMs: 0,
    cached: false,
  };
}

/**
 * Questions a shop's visitors might ask in other words, written for this test: each inner list is
 * one thing asked several ways; the groups share words on purpose ("ship", "cost", "tour").
 */
const SAME_THING: string[][] = [
  ['Do you ship to Canada?', 'Can you ship my order to Canada?', 'shipping to canada'],
  ['How much does shipping cost?', 'What are the shipping costs?', 'shipping cost'],
  ['Is there a free trial?', 'Do you offer a free trial?', 'free trial available?'],
  ['Can I cancel my subscription?', 'How do I cancel the subscription?'],
  ['Is the sunset tour wheelchair accessible?', 'sunset tour wheelchair access'],
  ['What time does the sunset tour start?', 'When does the sunset tour start?'],
  ['Do you have gift cards?'],
];

describe('groupQuestions', () => {
  const analyzer = new Analyzer('english');

  it('puts each thing asked in other words in one group, and different things apart', async () => {
    const answers = SAME_THING.flatMap((variants, group) =>
      variants.map((question) => ({ ...asked(question), group })),
    );
    const groups = await groupQuestions(answers, analyzer);
    const found = groups.map((members) =>
      members.map((member) => (member as LoggedAnswer & { group: number }).group),
    );
    // Every group holds one thing only, and each thing lands in one group.
    for (const members of found) expect(new Set(members).size).toBe(1);
    expect(found.map((members) => members[0]).sort()).toEqual(SAME_THING.map((_, index) => index));
  });

  it('groups questions made only of stop words by their text', async () => {
    const groups = await groupQuestions(
      [asked('What is it?'), asked('what is it'), asked('Why?')],
      analyzer,
    );
    expect(groups.map((members) => members.length).sort()).toEqual([1, 2]);
  });
});
