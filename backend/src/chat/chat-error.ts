import { type ErrorCode, type ErrorPayload } from '@lorechat/contracts';
import { Logger } from '@nestjs/common';
import { LlmError, type LlmFailure } from '../llm/llm-error';

/** A failure the visitor caused or can act on; its message is shown to them as is. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `rate_limited`: when the visitor may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

const logger = new Logger('ChatErrors');

/** The limits a visitor can reach, each with what it tells them. */
export type Limit =
  | 'questions'
  | 'feedback'
  | 'visitor_tokens'
  | 'ip_tokens'
  | 'site_tokens'
  | 'handoffs_per_hour'
  | 'handoffs_per_site';

const LIMIT_REACHED: Record<Limit, { code: ErrorCode; reason: string }> = {
  questions: { code: 'rate_limited', reason: 'Too many questions in a minute.' },
  feedback: { code: 'rate_limited', reason: 'Too many ratings in a minute.' },
  visitor_tokens: {
    code: 'daily_limit_reached',
    reason: 'You have reached the daily limit of answers.',
  },
  // Visitors behind one address (an office, a school) share its budget; to each of them it is
  // their daily limit too.
  ip_tokens: {
    code: 'daily_limit_reached',
    reason: 'You have reached the daily limit of answers.',
  },
  site_tokens: {
    code: 'daily_limit_reached',
    reason: "This site's assistant has reached its daily limit of answers.",
  },
  handoffs_per_hour: {
    code: 'rate_limited',
    reason: 'You have already asked for a person several times this hour.',
  },
  handoffs_per_site: {
    code: 'rate_limited',
    reason: 'This site has received too many requests for a person today.',
  },
};

/** A limit reached: `rate_limited` or `daily_limit_reached`, with when to try again. */
export function limitReached(limit: Limit, waitMs: number): ChatError {
  const { code, reason } = LIMIT_REACHED[limit];
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ChatError(
    code,
    `${reason} Try again in ${inWords(retryAfterSeconds)}.`,
    retryAfterSeconds,
  );
}

/** "45 seconds", "12 minutes", "7 hours": a day's wait in seconds would mean nothing to anyone. */
function inWords(seconds: number): string {
  const [amount, unit] =
    seconds < 120
      ? [seconds, 'second']
      : seconds < 2 * 3600
        ? [Math.ceil(seconds / 60), 'minute']
        : [Math.ceil(seconds / 3600), 'hour'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * A conversation or answer that is unknown, expired, or another visitor's: the three are told apart
 * to no one, so an id reveals nothing about whether it exists.
 */
export function conversationNotFound(subject: 'conversation' | 'answer'): ChatError {
  return new ChatError(
    'conversation_not_found',
    subject === 'conversation'
      ? 'This conversation has expired or is unknown. Ask again without a conversationId to start a new one.'
      : 'This answer belongs to no conversation of yours that is still remembered.',
  );
}

/** What each kind of provider failure is to the visitor: a protocol code they can act on. */
const CODE_FOR_FAILURE: Record<LlmFailure, ErrorCode> = {
  auth: 'provider_unavailable',
  rate_limit: 'rate_limited',
  unavailable: 'provider_unavailable',
  timeout: 'provider_unavailable',
  interrupted: 'provider_unavailable',
  bad_request: 'internal',
};

/** Never the provider's own words, which may name models, accounts or limits. */
const VISITOR_MESSAGE: Record<LlmFailure, string> = {
  auth: 'The assistant is not available right now.',
  rate_limit: 'The assistant is busy. Please try again in a moment.',
  unavailable: 'The assistant is not available right now. Please try again shortly.',
  timeout: 'The assistant took too long to answer. Please try again.',
  interrupted: 'The answer was cut off. Please try again.',
  bad_request: 'The assistant could not answer this question.',
};

/**
 * The one place where any failure becomes what the visitor sees. Provider failures keep their
 * details in the server log (which never holds keys); anything unexpected becomes `internal` with a
 * generic message, so no stack trace or provider text reaches the browser.
 */
export function toErrorPayload(error: unknown, messageId?: string): ErrorPayload {
  const base = messageId ? { messageId } : {};
  if (error instanceof ChatError) {
    const retry =
      error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds };
    return { ...base, code: error.code, message: error.message, ...retry };
  }
  if (error instanceof LlmError) {
    logger.warn(`provider ${error.failure}: ${error.message}`);
    return {
      ...base,
      code: CODE_FOR_FAILURE[error.failure],
      message: VISITOR_MESSAGE[error.failure],
    };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { ...base, code: 'internal', message: 'Something went wrong. Please try again.' };
}
