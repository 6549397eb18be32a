/**
 * A made-up month of a small site's conversations for the console's tests and screenshots: every
 * number is derived from the day's index, so the test knows the totals the overview must show.
 */
import { type AnswerEntry, type FeedbackEntry } from '../../backend/src/analytics/log-record';

const DAY_MS = 86_400_000;

/** Question, answer, and the section it cites. */
const ANSWERED = [
  [
    'How do I deploy to production?',
    'Run `pulumi up -s prod` after previewing the change [1].',
    'http://lorechat.test/docs/deploy.md#deploy-to-production',
    'Deploy LoreChat to AWS › Deploy to production',
  ],
  [
    'How do I add the widget to my site?',
    'Paste the script tag before the closing body tag [1].',
    'http://lorechat.test/docs/widget.md#add-the-widget-to-your-site',
    'Add the chat widget to your site › Add the widget to your site',
  ],
  [
    'Can I remove the stack?',
    'Yes: run pulumi destroy to remove the stack [1].',
    'http://lorechat.test/docs/deploy.md#tear-down-a-stack',
    'Deploy LoreChat to AWS › Tear down a stack',
  ],
] as const;

const NOT_FOUND = [
  'Do you offer a free trial?',
  'Is there a free trial?',
  'What does the enterprise plan cost?',
] as const;

export interface Seeded {
  answers: AnswerEntry[];
  feedback: FeedbackEntry[];
  totals: {
    questions: number;
    answered: number;
    notFound: number;
    ratedUp: number;
    ratedDown: number;
  };
}

/** `days` days ending today: on day i, 2 + (i % 4) answered questions and i % 3 not found. */
export function seedConversations(days: number, now = Date.now()): Seeded {
  const answers: AnswerEntry[] = [];
  const feedback: FeedbackEntry[] = [];
  const today = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`);
  for (let day = 0; day < days; day++) {
    const start = today - (days - 1 - day) * DAY_MS + 9 * 3_600_000;
    const answered = 2 + (day % 4);
    const notFound = day % 3;
    for (let index = 0; index < answered + notFound; index++) {
      const isAnswered = index < answered;
      const id = `seed-${day}-${index}`;
      const [question, answer, url, title] = isAnswered
        ? (ANSWERED[index % ANSWERED.length] as readonly [string, string, string, string])
        : [
            NOT_FOUND[index % NOT_FOUND.length] as string,
            "I couldn't find that on this site.",
            'http://lorechat.test/docs/widget.md',
            'Widget',
          ];
      const entry: AnswerEntry = {
        messageId: id,
        conversationId: `conversation-${id}`,
        visitorId: `visitor-${day}-${index % 2}`,
        siteKey: 'demo',
        askedAt: Math.min(start + index * 600_000, now - 1000),
        question,
        answer,
        sources: [{ url, title, cited: isAnswered }],
        outcome: isAnswered ? 'answered' : 'not_found',
        page: { url: 'https://shop.example/pricing', title: 'Pricing' },
        locale: 'en',
        provider: 'openai',
        model: 'gpt-4o-mini',
        inputTokens: 900 + index * 40,
        outputTokens: isAnswered ? 120 : 30,
        costUsd: ((900 + index * 40) * 0.15 + (isAnswered ? 120 : 30) * 0.6) / 1_000_000,
        firstTokenMs: 350 + ((day * 37 + index * 53) % 400),
        totalMs: 1800 + index * 100,
        cached: false,
      };
      answers.push(entry);
      if (isAnswered && index === 0) {
        feedback.push({
          messageId: id,
          conversationId: entry.conversationId,
          visitorId: entry.visitorId,
          rating: 'up',
          ratedAt: entry.askedAt + 5000,
        });
      } else if (isAnswered && index === 1 && day % 5 === 0) {
        feedback.push({
          messageId: id,
          conversationId: entry.conversationId,
          visitorId: entry.visitorId,
          rating: 'down',
          comment: 'It did not say which region',
          ratedAt: entry.askedAt + 5000,
        });
      }
    }
  }
  return {
    answers,
    feedback,
    totals: {
      questions: answers.length,
      answered: answers.filter((entry) => entry.outcome === 'answered').length,
      notFound: answers.filter((entry) => entry.outcome === 'not_found').length,
      ratedUp: feedback.filter((entry) => entry.rating === 'up').length,
      ratedDown: feedback.filter((entry) => entry.rating === 'down').length,
    },
  };
}
