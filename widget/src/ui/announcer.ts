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
  /** Sentences already announced, per answer. */
  readonly #spoken = new Map<string, number>();

  say(text: string): void {
    if (!text) return;
    // Each announcement is a new node: replacing the text could cut off the previous one.
    this.element.append(h('p', {}, text));
    while (this.element.childElementCount > 3) this.element.firstElementChild?.remove();
  }

  /** Announces the sentences of `text` completed since the last call for this answer. */
  progress(answerId: string, text: string): void {
    const { complete } = splitSentences(text);
    const spoken = this.#spoken.get(answerId) ?? 0;
    if (complete.length <= spoken) return;
    this.#spoken.set(answerId, complete.length);
    this.say(complete.slice(spoken).join(' '));
  }

  /** Announces whatever of the answer has not been announced yet, then `after` (a status). */
  finish(answerId: string, text: string, after = ''): void {
    const { complete, rest } = splitSentences(text);
    const unspoken = [...complete.slice(this.#spoken.get(answerId) ?? 0), rest, after];
    this.#spoken.delete(answerId);
    this.say(unspoken.filter(Boolean).join(' '));
  }
}
