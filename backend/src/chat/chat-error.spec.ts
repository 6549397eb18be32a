import { Logger } from '@nestjs/common';
import { LlmError } from '../llm/llm-error';
import { ChatError, toErrorPayload } from './chat-error';

/**
 * The provider adapters report failures in operators' terms (`auth`, `rate_limit`, …); this is the
 * one place that decides what the visitor sees of them.
 */
describe('toErrorPayload', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['auth', 401, 'provider_unavailable'],
    ['rate_limit', 429, 'rate_limited'],
    ['unavailable', 503, 'provider_unavailable'],
    ['timeout', undefined, 'provider_unavailable'],
    ['interrupted', undefined, 'provider_unavailable'],
    ['bad_request', 400, 'internal'],
  ] as const)(
    'shows a provider %s failure as %s, without the provider words',
    (failure, status, code) => {
      const secret = 'invalid x-api-key sk-ant-SECRET for org-1234';
      const payload = toErrorPayload(new LlmError(failure, secret, status), 'm1');

      expect(payload).toMatchObject({ messageId: 'm1', code });
      expect(payload.message).toMatch(/^The (assistant|answer) /);
      expect(payload.message).not.toContain('SECRET');
      expect(payload.message).not.toContain(String(status));
    },
  );

  it("passes a visitor's own error through with its wait, and hides anything unexpected", () => {
    expect(toErrorPayload(new ChatError('rate_limited', 'Too many questions.', 12))).toEqual({
      code: 'rate_limited',
      message: 'Too many questions.',
      retryAfterSeconds: 12,
    });
    expect(toErrorPayload(new Error('ECONNRESET at /srv/app/dist/x.js:1'))).toEqual({
      code: 'internal',
      message: 'Something went wrong. Please try again.',
    });
  });
});
