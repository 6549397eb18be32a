import { type ErrorCode, type Usage } from '../chat/protocol';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** A retrieved passage as the answerer sees it, numbered as it will be cited. */
export interface NumberedSource {
  /** 1-based citation number: the answer cites it as [number]. */
  number: number;
  url: string;
  title: string;
  text: string;
}

export interface LlmRequest {
  /** System rules (answer only from the sources, cite, say when the sources lack the answer). */
  system: string;
  /** Earlier turns, oldest first, then the current user message with the sources embedded. */
  messages: ChatTurn[];
  /** The visitor's question and the sources, for answerers that work on them directly. */
  question: string;
  sources: NumberedSource[];
}

export type LlmEvent = { type: 'token'; text: string } | { type: 'usage'; usage: Usage };

/** Why a provider call failed, in terms an operator can act on. */
export type LlmFailure =
  | 'auth' // the provider rejected our credentials (401/403)
  | 'rate_limit' // the provider throttled us (429)
  | 'unavailable' // 5xx, connection refused, DNS
  | 'timeout' // no output within LLM_TIMEOUT_MS
  | 'interrupted' // the stream ended before the provider said it was complete
  | 'bad_request'; // the provider refused the request itself (400, e.g. context too long)

const CODE_FOR_FAILURE: Record<LlmFailure, ErrorCode> = {
  auth: 'provider_unavailable',
  rate_limit: 'rate_limited',
  unavailable: 'provider_unavailable',
  timeout: 'provider_unavailable',
  interrupted: 'provider_unavailable',
  bad_request: 'internal',
};

const VISITOR_MESSAGE: Record<LlmFailure, string> = {
  auth: 'The assistant is not available right now.',
  rate_limit: 'The assistant is busy. Please try again in a moment.',
  unavailable: 'The assistant is not available right now. Please try again shortly.',
  timeout: 'The assistant took too long to answer. Please try again.',
  interrupted: 'The answer was cut off. Please try again.',
  bad_request: 'The assistant could not answer this question.',
};

/**
 * A provider failure. `message` is for operators' logs and never contains credentials; what the
 * visitor sees comes from `visitorMessage`, which never contains provider details.
 */
export class LlmError extends Error {
  constructor(
    readonly failure: LlmFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  get code(): ErrorCode {
    return CODE_FOR_FAILURE[this.failure];
  }

  get visitorMessage(): string {
    return VISITOR_MESSAGE[this.failure];
  }
}

/** Maps an HTTP status from a provider to a failure kind. */
export function failureForStatus(status: number | undefined): LlmFailure {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'bad_request';
  return 'unavailable';
}

/**
 * The low-level reason behind a network failure (e.g. ` (ECONNREFUSED)`), which carries no secrets,
 * or '' when there is none. Checked by shape rather than `instanceof Error`: Node's built-in fetch
 * creates its errors in its own realm, which is not always ours (under Jest, for one).
 */
export function describeCause(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return ` (${code})`;
    current = cause;
  }
  return '';
}

/**
 * A rough token count (about four characters per token for English) for answerers and servers that
 * report no usage. Good enough for cost estimates; never used to cut text.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface LlmDescription {
  provider: string;
  model: string;
}

/**
 * The DI token for the answer generator. Implementations stream the answer as `token` events and
 * finish with one `usage` event. They must stop promptly when `signal` aborts (abort the underlying
 * HTTP request, do not just stop reading) and throw `LlmError` for provider failures.
 *
 * Timeouts are not the provider's concern: `guardStream` applies LLM_TIMEOUT_MS around any provider.
 */
export abstract class LlmProvider {
  abstract describe(): LlmDescription;
  abstract stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent>;
}
