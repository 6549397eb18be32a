import { type ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type Request, type Response } from 'express';
import { type ErrorPayload } from '@lorechat/contracts';

/** What Express's body parser attaches to the errors it raises (the http-errors fields). */
interface BodyParserError {
  type: string;
  status: number;
  limit?: number;
  length?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return (
    typeof candidate?.type === 'string' &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/**
 * A request body the parser refused (too large, not JSON, an unknown charset) is the client's
 * mistake, not the server's: the caller gets the API's error shape with a stable code, and the log
 * one warning line that says what was refused, without a stack. Anything else goes on to Nest's
 * own handling, which logs it as the error it is.
 */
@Catch()
export class BodyErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HTTP');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isBodyParserError(exception)) {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const tooLarge = exception.status === 413;
    const error: ErrorPayload = tooLarge
      ? {
          code: 'too_large',
          message: `The request body is larger than ${exception.limit ?? 'the limit of'} bytes.`,
        }
      : { code: 'bad_request', message: 'The request body could not be read as JSON.' };
    const path = (request.originalUrl || request.url).split('?', 1)[0] ?? '';
    const size = exception.length === undefined ? '' : ` (${exception.length} bytes)`;
    this.logger.warn(`${request.method} ${path}: request body refused, ${exception.type}${size}`);
    if (!response.headersSent) response.status(exception.status).json({ error });
  }
}
