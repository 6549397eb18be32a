import { type Source } from '@lorechat/contracts';

/** What identifies a reusable answer: the same question, against the same index, by the same model. */
export interface ResponseCacheKey {
  /** The question as `normaliseQuestion` returns it. */
  question: string;
  /** The vector store's index version: any write to the index makes older answers unreachable. */
  indexVersion: number;
  provider: string;
  model: string;
}

export interface CachedAnswer {
  answer: string;
  sources: Source[];
}

/**
 * The DI token for finished first-turn answers. Only first questions are cached: a follow-up's
 * answer depends on the conversation before it, which the key does not capture.
 */
export abstract class ResponseCache {
  abstract get(key: ResponseCacheKey): Promise<CachedAnswer | undefined>;
  abstract set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void>;
}

/**
 * The question as a cache key sees it, so trivially different spellings of one question share an
 * answer: Unicode compatibility forms folded (NFKC), lower case, whitespace collapsed, and trailing
 * punctuation ("?", "!", "…") dropped.
 */
export function normaliseQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[\s\p{P}]+$/u, '');
}
