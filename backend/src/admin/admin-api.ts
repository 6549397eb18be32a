/**
 * The admin API's routes, their parameters and their answers, described once: the controllers
 * validate requests with these schemas and the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { ANSWER_OUTCOMES } from '../analytics/log-record';

export const ADMIN_PREFIX = '/v1/admin';

const days = (fallback: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .describe('How many days back, today (UTC) included');

export const conversationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Conversations per page'),
  cursor: z
    .string()
    .max(500)
    .optional()
    .describe('The `next` of the previous page, to get the page after it'),
  outcome: z.enum(ANSWER_OUTCOMES).optional().describe('Only conversations with such an answer'),
  rating: z
    .enum(['up', 'down', 'none'])
    .optional()
    .describe('Only conversations with an answer rated so (`none`: an unrated answer)'),
  page: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Part of the URL of the page the widget was on'),
  q: z.string().min(1).max(500).optional().describe('Part of a question or an answer, any case'),
  days: z.coerce.number().int().min(1).max(3650).optional().describe('Only the last N days'),
});

export const gapsQuery = z.object({
  days: days(30, 3650),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Most groups returned'),
});

export const statsQuery = z.object({ days: days(30, 366) });
export const pagesQuery = z.object({ days: days(30, 3650) });
export const exportQuery = z.object({
  format: z.enum(['csv', 'json']).default('csv'),
  days: days(30, 3650),
});

export const signInBody = z.object({ token: z.string().min(1).max(512) });

const id = z.string().min(1).max(100);

const page = z.object({ url: z.string(), title: z.string().optional() });
const turn = z.object({
  messageId: z.string(),
  conversationId: z.string(),
  visitorId: z.string().describe('Pseudonymous: the random id of the visitor token'),
  siteKey: z.string(),
  askedAt: z.number().describe('Epoch milliseconds'),
  question: z
    .string()
    .describe('E-mail addresses and phone numbers masked unless ANALYTICS_STORE_PII'),
  answer: z.string(),
  sources: z.array(z.object({ url: z.string(), title: z.string(), cited: z.boolean() })),
  outcome: z.enum(ANSWER_OUTCOMES),
  errorCode: z.string().optional(),
  page: page.optional(),
  locale: z.string().optional(),
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number().optional(),
  firstTokenMs: z.number().optional(),
  totalMs: z.number(),
  cached: z.boolean(),
  rating: z.enum(['up', 'down']).optional(),
  comment: z.string().optional(),
});
const conversation = z.object({
  conversationId: z.string(),
  visitorId: z.string(),
  siteKey: z.string(),
  startedAt: z.number(),
  lastAt: z.number(),
  turns: z.array(turn),
});
const gapExample = turn.pick({
  messageId: true,
  conversationId: true,
  question: true,
  askedAt: true,
  outcome: true,
  rating: true,
  comment: true,
  page: true,
});
const gap = z.object({
  question: z.string().describe("The group's most recent wording"),
  count: z.number(),
  notFound: z.number(),
  ratedDown: z.number(),
  lastAskedAt: z.number(),
  examples: z.array(gapExample),
  closestPage: z
    .object({ url: z.string(), title: z.string(), section: z.string() })
    .optional()
    .describe('The indexed page nearest to the question; absent when none shares a word with it'),
});
const statsDay = z.object({
  day: z.string().describe('YYYY-MM-DD, UTC'),
  questions: z.number(),
  answered: z.number(),
  notFound: z.number(),
  errors: z.number(),
  cancelled: z.number(),
  ratedUp: z.number(),
  ratedDown: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  tokens: z.number(),
  costUsd: z.number(),
  firstTokenP95Ms: z.number().nullable(),
});
const crawl = z.object({
  report: z
    .object({
      startedAt: z.string(),
      finishedAt: z.string(),
      seconds: z.number(),
      dryRun: z.boolean(),
      sites: z.array(z.string()),
      totals: z.record(z.string(), z.number()),
      skippedByReason: z.record(z.string(), z.number()),
      failures: z.array(
        z.object({ url: z.string(), reason: z.string().optional(), detail: z.string().optional() }),
      ),
    })
    .nullable(),
  schedule: z.string().nullable(),
  nextRunAt: z.string().nullable(),
});

const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface AdminRoute {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI style: `{id}` for a path parameter. */
  path: string;
  summary: string;
  /** False for the routes anyone may call (sign-in, this document). */
  authenticated: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  pathParameters?: Record<string, z.ZodType>;
  /** The 200 answer; `csv` for a CSV file; undefined for 204 No Content. */
  response?: z.ZodType | { csv: true };
}

export const ADMIN_ROUTES: AdminRoute[] = [
  {
    method: 'get',
    path: '/conversations',
    summary: 'Conversations, newest first, each with all its turns',
    authenticated: true,
    query: conversationsQuery,
    response: z.object({ items: z.array(conversation), next: z.string().optional() }),
  },
  {
    method: 'get',
    path: '/conversations/{id}',
    summary: 'One conversation',
    authenticated: true,
    pathParameters: { id },
    response: conversation,
  },
  {
    method: 'delete',
    path: '/conversations/{id}',
    summary: 'Deletes one conversation and its ratings',
    authenticated: true,
    pathParameters: { id },
    response: z.object({ deletedAnswers: z.number() }),
  },
  {
    method: 'delete',
    path: '/visitors/{id}',
    summary: 'Deletes everything of one visitor (every conversation and rating)',
    authenticated: true,
    pathParameters: { id },
    response: z.object({ deletedAnswers: z.number() }),
  },
  {
    method: 'get',
    path: '/gaps',
    summary:
      'Questions the site did not answer or whose answer was rated down, grouped when they ask the same thing',
    authenticated: true,
    query: gapsQuery,
    response: z.object({ items: z.array(gap) }),
  },
  {
    method: 'get',
    path: '/stats',
    summary: 'Questions, outcomes, ratings, tokens, cost and first-token p95 per UTC day',
    authenticated: true,
    query: statsQuery,
    response: z.object({ days: z.array(statsDay), totals: statsDay.omit({ day: true }) }),
  },
  {
    method: 'get',
    path: '/pages',
    summary: 'Indexed pages cited most, and those never cited',
    authenticated: true,
    query: pagesQuery,
    response: z.object({
      indexedPages: z.number(),
      mostCited: z.array(z.object({ url: z.string(), title: z.string(), citations: z.number() })),
      neverCited: z.array(z.object({ url: z.string(), title: z.string() })),
    }),
  },
  {
    method: 'get',
    path: '/crawl',
    summary: "The last crawl's report and the next scheduled crawl",
    authenticated: true,
    response: crawl,
  },
  {
    method: 'get',
    path: '/export',
    summary: 'Every answer of the last N days as a CSV or JSON download',
    authenticated: true,
    query: exportQuery,
    response: { csv: true },
  },
  {
    method: 'get',
    path: '/session',
    summary: 'Whether the request is signed in (204) or not (401)',
    authenticated: true,
  },
  {
    method: 'post',
    path: '/session',
    summary:
      'Signs the console in: exchanges the admin token for an HttpOnly, SameSite=Strict session cookie',
    authenticated: false,
    body: signInBody,
  },
  {
    method: 'delete',
    path: '/session',
    summary: 'Signs out: clears the session cookie',
    authenticated: false,
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    authenticated: false,
    response: z.object({ openapi: z.string() }).passthrough(),
  },
];

export const ERROR_RESPONSE = error;
