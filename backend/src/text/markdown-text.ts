/** A Markdown link's text is content; its address (`https`, the host, the path) is not. */
export function withoutLinkTargets(markdown: string): string {
  return markdown.replace(/\]\((?:[^()\s]|\([^()\s]*\))+\)/g, ']');
}

/**
 * A set of analyzed terms that also finds a term's other forms where the stemmer leaves them apart
 * ("dvds" for "dvd": Snowball only strips an `s` after a vowel-bearing stem; "children" for
 * "child"; "rental" for "rent").
 */
export class TermSet {
  private readonly terms = new Set<string>();

  constructor(terms: Iterable<string>) {
    for (const term of terms) this.terms.add(baseForm(term));
  }

  has(term: string): boolean {
    return this.terms.has(baseForm(term));
  }
}

/** Irregular plurals, as the English stemmer leaves them. */
const IRREGULAR: Record<string, string> = {
  children: 'child',
  peopl: 'person',
  men: 'man',
  women: 'woman',
  feet: 'foot',
  teeth: 'tooth',
};

/**
 * One form for a word's plural, singular and `-al` noun ("rental" for "rent", "arrival" for
 * "arrive"), which the stemmer keeps apart.
 */
function baseForm(term: string): string {
  const irregular = IRREGULAR[term];
  if (irregular) return irregular;
  const singular = term.length > 3 && term.endsWith('s') ? term.slice(0, -1) : term;
  return singular.length > 5 && singular.endsWith('al') ? singular.slice(0, -2) : singular;
}

/**
 * A page title without the site's name after it ("Tours and prices | Bluewater Bay Kayak Co." →
 * "Tours and prices"): every source comes from the same site, so the name only takes room.
 */
export function pageTitle(title: string): string {
  const parts = title.split(/\s+[|–—·]\s+/);
  return parts.length > 1 && parts[0] ? parts.slice(0, -1).join(' | ') : title;
}
