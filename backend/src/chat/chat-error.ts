import { Logger } from '@nestjs/common';
import { LlmError } from '../llm/llm-provider';
import { type ErrorCode, type ErrorPayload } from '@lorechat/contracts';

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
    return { ...base, code: error.code, message: error.visitorMessage };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { ...base, code: 'internal', message: 'Something went wrong. Please try again.' };
}
