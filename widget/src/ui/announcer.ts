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
  /** Per answer: the sentences of its settled blocks read so far, and how many were said. */
  readonly #answers = new Map<string, { blocks: number; sentences: string[]; spoken: number }>();

  say(text: string): void {
    if (!text) return;
    // Each announcement is a new node: replacing the text could cut off the previous one.
    this.element.append(h('p', {}, text));
    while (this.element.childElementCount > 3) this.element.firstElementChild?.remove();
  }

  /**
   * Announces the sentences completed since the last call for this answer. `settled` only grows
   * (each block's text, once), so each call reads only the new blocks and the rest after them:
   * the work stays bounded however long the answer grows.
   */
  progress(answerId: string, settled: readonly string[], rest: string): void {
    const answer = this.#answers.get(answerId) ?? { blocks: 0, sentences: [], spoken: 0 };
    this.#answers.set(answerId, answer);
    // A settled block is complete: its last sentence too (a block ends with a line break).
    while (answer.blocks < settled.length) {
      answer.sentences.push(...splitSentences(`${settled[answer.blocks++]}\n`).complete);
    }
    const known = answer.sentences.length;
    const fresh = [
      ...answer.sentences.slice(answer.spoken),
      ...splitSentences(rest).complete.slice(Math.max(0, answer.spoken - known)),
    ];
    answer.spoken += fresh.length;
    this.say(fresh.join(' '));
  }

  /** Announces whatever of the answer has not been announced yet, then `after` (a status). */
  finish(answerId: string, text: string, after = ''): void {
    const { complete, rest } = splitSentences(text);
    const unspoken = [...complete.slice(this.#answers.get(answerId)?.spoken ?? 0), rest, after];
    this.#answers.delete(answerId);
    this.say(unspoken.filter(Boolean).join(' '));
  }
}
