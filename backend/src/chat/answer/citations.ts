/**
 * Citation markers a model writes, checked as they stream: `[n]` must name one of the sources it
 * was given. A marker naming another number (a model inventing `[7]` among five sources, or
 * numbering from a source it remembers) is dropped before the visitor sees it; the text around it
 * passes through unchanged. Text that might still become a marker (`[1`) is held back until it is
 * one or is not.
 */
export class CitationFilter {
  private pending = '';
  /** Source numbers the answer cited, in first-cited order. */
  readonly cited: number[] = [];
  /** Markers dropped for naming no source. */
  dropped = 0;

  constructor(private readonly sourceCount: number) {}

  /** Takes the next piece of the answer; returns what can be shown now. */
  push(text: string): string {
    this.pending += text;
    let shown = '';
    for (;;) {
      const open = this.pending.indexOf('[');
      if (open < 0) {
        shown += this.pending;
        this.pending = '';
        return shown;
      }
      shown += this.pending.slice(0, open);
      this.pending = this.pending.slice(open);
      const marker = /^\[(\d{1,3})\]/.exec(this.pending);
      if (marker) {
        const number = Number(marker[1]);
        if (number >= 1 && number <= this.sourceCount) {
          if (!this.cited.includes(number)) this.cited.push(number);
          shown += marker[0];
        } else this.dropped += 1;
        this.pending = this.pending.slice(marker[0].length);
        continue;
      }
      // Still possibly a marker: "[", "[1", "[12".
      if (/^\[\d{0,3}$/.test(this.pending)) return shown;
      shown += '[';
      this.pending = this.pending.slice(1);
    }
  }

  /** The end of the answer: whatever was held back is not a marker. */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}

/**
 * Whether a model's answer says it could not answer from the sources, in the words the rules ask
 * for or their common variants, in the languages the rules are most often answered in. Only the
 * answer's start and a short answer are read: a long answer that mentions, in passing, something
 * it could not find still answered.
 */
export function saysNotFound(answer: string): boolean {
  // Models write the typographic apostrophe as often as the straight one ("couldn’t").
  const text = answer.replace(/\s+/g, ' ').replace(/’/g, "'").trim().toLowerCase();
  if (text === '') return true;
  const opening = text.length <= 300 ? text : text.slice(0, 160);
  return NOT_FOUND_PHRASES.some((phrase) => phrase.test(opening));
}

const NOT_FOUND_PHRASES = [
  /\b(?:could ?n[o']t|can ?n[o']t|was ?n[o']t able to|unable to|did ?n[o']t|do ?n[o']t) (?:find|see|locate)\b/,
  /\b(?:no|not any|any) (?:information|mention|details?)\b.{0,40}\b(?:sources?|site|pages?)\b/,
  /\b(?:sources?|site|pages?) (?:do(?:es)? ?n[o']t|do(?:es)? not) (?:say|mention|contain|cover|include)\b/,
  // \b sees no boundary after an accented letter, so "trouvé" is matched without one.
  /\bje n'ai pas trouvé|\bne (?:mentionne|contient|précise) pas\b/,
  /\bno (?:he podido|pude) encontrar\b|\bno (?:menciona|contiene|incluye)\b/,
  /\b(?:konnte|kann) (?:ich )?(?:keine|nichts)\b|\bnicht gefunden\b/,
];
