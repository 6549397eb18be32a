/** A Markdown link's text is content; its address (`https`, the host, the path) is not. */
export function withoutLinkTargets(markdown: string): string {
  return markdown.replace(/\]\((?:[^()\s]|\([^()\s]*\))+\)/g, ']');
}

/**
 * A set of analyzed terms that also finds a term's plural or singular where the stemmer leaves it
 * ("dvds" for "dvd": Snowball only strips an `s` after a vowel-bearing stem).
 */
export class TermSet {
  private readonly terms = new Set<string>();

  constructor(terms: Iterable<string>) {
    for (const term of terms) this.terms.add(singular(term));
  }

  has(term: string): boolean {
    return this.terms.has(singular(term));
  }
}

const singular = (term: string) =>
  term.length > 3 && term.endsWith('s') ? term.slice(0, -1) : term;
