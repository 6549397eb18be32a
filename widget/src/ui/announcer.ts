import { type Block, plainText } from '../markdown';
import { h } from './dom';

/** Sentence ends: . ! ? … and their Arabic and CJK forms, followed by a space; or a line break. */
const SENTENCE_END = /(?<=[.!?…؟。！？])\s+|\n+/;

/** Splits streamed text into the sentences already complete and the rest, still being written. */
export function splitSentences(text: string): { complete: string[]; rest: string } {
  const parts = text.split(SENTENCE_END).map((part) => part.trim());
  const rest = parts.pop() ?? '';
  return { complete: parts.filter(Boolean), rest };
}

/**
 * The polite live region. Streamed answers are announced a sentence at a time, never token by
 * token, which would make a screen reader stutter or fall behind.
 */
export class Announcer {
  readonly element = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  /** Per answer: the settled blocks wholly announced, and the sentences said of the rest. */
  readonly #answers = new Map<string, [blocks: number, inRest: number]>();

  say(text: string): void {
    if (!text) return;
    // Each announcement is a new node: replacing the text could cut off the previous one.
    this.element.append(h('p', {}, text));
    while (this.element.childElementCount > 3) this.element.firstElementChild?.remove();
  }

  /**
   * Announces the sentences completed since the last call for this answer. `settled` only grows,
   * so each call reads only the blocks new to it and the rest after them: the work stays bounded
   * however long the answer grows.
   */
  progress(answerId: string, settled: readonly Block[], rest: Block[]): void {
    this.say(this.#unsaid(answerId, settled, rest).join(' '));
  }

  /** Announces whatever of the finished answer (all its blocks) is unsaid, then `after`. */
  finish(answerId: string, blocks: Block[], after = ''): void {
    const unsaid = this.#unsaid(answerId, blocks, []);
    this.#answers.delete(answerId);
    this.say([...unsaid, after].filter(Boolean).join(' '));
  }

  #unsaid(answerId: string, settled: readonly Block[], rest: Block[]): string[] {
    const [blocks, inRest] = this.#answers.get(answerId) ?? [0, 0];
    // A settled block is complete, its last sentence too: a line break follows it.
    const text = `${plainText([...settled.slice(blocks), ...rest])}${rest.length ? '' : '\n'}`;
    this.#answers.set(answerId, [settled.length, splitSentences(plainText(rest)).complete.length]);
    return splitSentences(text).complete.slice(inRest);
  }
}
