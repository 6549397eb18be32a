import { estimateTokens } from '../text/tokens';
import { type AskPage, type Usage } from '@lorechat/contracts';

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
  page?: AskPage;
}

/** The request's input tokens, estimated from its text (system rules and every message). */
export function estimatePromptTokens(request: Pick<LlmRequest, 'system' | 'messages'>): number {
  return estimateTokens(request.system + request.messages.map(({ content }) => content).join(''));
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
