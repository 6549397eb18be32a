import { type ErrorCode, type PageContext, type Usage } from '../chat/protocol';

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
  /** The page's primary language subtag (`en`), when known. */
  language?: string;
}

export interface LlmRequest {
  /** System rules (answer only from the sources, cite, say when the sources lack the answer). */
  system: string;
  /** Earlier turns, oldest first, then the current user message with the sources embedded. */
  messages: ChatTurn[];
  /** The visitor's question and the sources, for answerers that work on them directly. */
  question: string;
  sources: NumberedSource[];
  /** The page the visitor asks from, for answerers that read the question with its title. */
  page?: PageContext;
}

export type LlmEvent =
  | { type: 'token'; text: string }
  | {
      type: 'usage';
      usage: Usage;
      /**
       * The provider and model that wrote the answer, set by the resilient provider: with
       * LLM_FALLBACK it may not be the configured one, and the response cache must know.
       */
      servedBy?: LlmDescription;
    };

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
    /** How long the provider asked us to wait before trying again (its Retry-After), in ms. */
    readonly retryAfterMs?: number,
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

/** Reads a response's header, as the SDKs' `Headers` do; null when it is absent. */
type HeaderReader = { get(name: string): string | null } | undefined;

/**
 * The wait a throttled or overloaded provider asked for, in ms: OpenAI's `retry-after-ms`, else the
 * standard `retry-after` in seconds or as an HTTP date. Undefined when there is none or it is not
 * a time.
 */
export function retryAfterMs(headers: HeaderReader, now = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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

/** Whether `served` is the provider and model `expected` describes; false when unknown. */
export function sameModel(served: LlmDescription | undefined, expected: LlmDescription): boolean {
  return served?.provider === expected.provider && served.model === expected.model;
}

/**
 * The DI token for the answer generator. Implementations stream the answer as `token` events and
 * finish with one `usage` event. They must stop promptly when `signal` aborts (abort the underlying
 * HTTP request, do not just stop reading) and throw `LlmError` for provider failures, with the
 * SDK's own retries off.
 *
 * Timeouts, retries and fallbacks are not a provider's concern: what the module binds to this token
 * is a `ResilientLlmProvider`, which runs each attempt under `guardStream` (LLM_TIMEOUT_MS) and
 * decides what happens after a failure, in one place for every provider.
 */
export abstract class LlmProvider {
  abstract describe(): LlmDescription;
  abstract stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent>;
}
