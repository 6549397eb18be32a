import { retryAfterMs } from '../common/retry-timing';
/** Why a provider call failed, in terms an operator can act on. */
export type LlmFailure =
  | 'auth' // the provider rejected our credentials (401/403)
  | 'rate_limit' // the provider throttled us (429)
  | 'unavailable' // 5xx, connection refused, DNS
  | 'timeout' // no output within LLM_TIMEOUT_MS
  | 'interrupted' // the stream ended before the provider said it was complete
  | 'bad_request'; // the provider refused the request itself (400, e.g. context too long)

/**
 * A provider failure. `message` is for operators' logs and never contains credentials; what the
 * visitor sees is chat's concern (chat/chat-error.ts), and never contains provider details.
 */
export class LlmError extends Error {
  constructor(
    readonly failure: LlmFailure,
    message: string,
    readonly status?: number,
    /** How long the provider asked us to wait before trying again (its Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Maps an HTTP status from a provider to a failure kind. */
export function failureForStatus(status: number | undefined): LlmFailure {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'bad_request';
  return 'unavailable';
}

/** Reads a response's header, as the SDKs' `Headers` do; null when it is absent. */
type HeaderReader = { get(name: string): string | null } | undefined;

/**
 * The wait a throttled or overloaded provider asked for, in ms: OpenAI's `retry-after-ms`, else the
 * standard `retry-after`. Undefined when there is none or it is not a time.
 */
export function providerRetryAfterMs(headers: HeaderReader, now = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  return retryAfterMs(headers?.get('retry-after'), now);
}
