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
