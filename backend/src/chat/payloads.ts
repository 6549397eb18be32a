import { z } from 'zod';
import { ChatError } from './chat-error';
import {
  type AskPayload,
  type CancelPayload,
  type FeedbackPayload,
  type HandoffPayload,
} from '@lorechat/contracts';

const id = z.string().min(1).max(100);

export const MAX_PAGE_URL_CHARS = 2048;
export const MAX_PAGE_TITLE_CHARS = 300;

const pageSchema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(MAX_PAGE_URL_CHARS, { error: `must be at most ${MAX_PAGE_URL_CHARS} characters` }),
  title: z
    .string()
    .max(MAX_PAGE_TITLE_CHARS, { error: `must be at most ${MAX_PAGE_TITLE_CHARS} characters` })
    .optional(),
});
const page = pageSchema.optional();
const locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/, { error: 'must be a language tag' })
  .optional();

const askSchema = z.object({
  conversationId: id.optional(),
  text: z.string(),
  page,
  locale,
});
const handoffSchema = z.object({
  conversationId: id.optional(),
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ error: 'must be an e-mail address' })),
  message: z.string(),
  page,
  locale,
});
const cancelSchema = z.object({ messageId: id });
const feedbackSchema = z.object({
  messageId: id,
  rating: z.enum(['up', 'down']),
  comment: z.string().max(2000).optional(),
});

function parse<T>(schema: z.ZodType<T>, event: string, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
  throw new ChatError('bad_request', `Invalid ${event} payload: ${problems}`);
}

/**
 * Validates an `ask`; the text must hold something and fit MAX_MESSAGE_CHARS, and the page, when
 * sent, must be an http(s) URL with an optional title of bounded length; the locale a language tag.
 */
export function parseAsk(payload: unknown, maxMessageChars: number): AskPayload {
  const ask = parse(askSchema, 'ask', payload);
  const text = ask.text.trim();
  if (text === '') throw new ChatError('bad_request', 'The question is empty.');
  if (text.length > maxMessageChars) {
    throw new ChatError(
      'too_large',
      `The question is ${text.length} characters long; the limit is ${maxMessageChars}.`,
    );
  }
  const title = ask.page?.title?.replace(/\s+/g, ' ').trim();
  const page = ask.page && { url: ask.page.url, ...(title && { title }) };
  return {
    conversationId: ask.conversationId,
    text,
    ...(page && { page }),
    ...(ask.locale && { locale: ask.locale }),
  };
}

export function parseCancel(payload: unknown): CancelPayload {
  return parse(cancelSchema, 'cancel', payload);
}

export function parseFeedback(payload: unknown): FeedbackPayload {
  return parse(feedbackSchema, 'feedback', payload);
}

/** Validates a `handoff`: a reachable address, and a message that fits MAX_MESSAGE_CHARS. */
export function parseHandoff(payload: unknown, maxMessageChars: number): HandoffPayload {
  const handoff = parse(handoffSchema, 'handoff', payload);
  const message = handoff.message.trim();
  if (message === '') throw new ChatError('bad_request', 'The message is empty.');
  if (message.length > maxMessageChars) {
    throw new ChatError(
      'too_large',
      `The message is ${message.length} characters long; the limit is ${maxMessageChars}.`,
    );
  }
  return { ...handoff, message };
}
