/**
 * Inline Markdown (emphasis, code spans, links, autolinks, citation markers) parsed in linear time
 * whatever the input: brackets, parentheses and backtick runs are matched in one pass each, and a
 * delimiter known to have no closer is never searched for again.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'emphasis'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] }
  /** `[n]`: refers to the n-th source of the answer. */
  | { type: 'citation'; number: number }
  | { type: 'break' };

/** Nesting deeper than this is shown as text: hostile input must not cost deep recursion. */
export const MAX_DEPTH = 8;

/** Only links a visitor can safely follow; anything else (javascript:, data:, relative) is dropped. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return /^(https?|mailto):$/.test(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The text a reader hears of inline Markdown: markup disappears. */
export function inlineText(node: Inline): string {
  switch (node.type) {
    case 'text':
    case 'code':
      return node.text;
    case 'break':
      return '\n';
    case 'citation':
      return `[${node.number}]`;
    default:
      return node.children.map(inlineText).join('');
  }
}

const ESCAPABLE = /[\\`*_{}[\]()<>#+\-.!|~]/;
const CITATION = /^\[(\d{1,3})\]/;
const AUTOLINK = /^<((?:https?:\/\/|mailto:)[^\s<>]+)/i;
const BARE_URL = /^https?:\/\/[^\s<>]+/i;
const RUN = /^(\*+|_+|`+)/;
const WORD = /[\p{L}\p{N}]/u;

/**
 * For each opening character, the index of its closer, in one pass with a stack: `[` and `]`
 * across the text, `(` and `)` within a run without spaces (as link destinations are), and each
 * backtick run's next run of the same length; a backslash escapes the character after it.
 */
function closers(source: string): [bracket: number[], paren: number[], code: number[]] {
  const bracket: number[] = [];
  const paren: number[] = [];
  const code: number[] = [];
  const brackets: number[] = [];
  let parens: number[] = [];
  const runs = new Map<number, number>();
  for (let index = 0; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (char === '[') brackets.push(index);
    else if (char === ']') {
      const open = brackets.pop();
      if (open !== undefined) bracket[open] = index;
    } else if (char === '(') parens.push(index);
    else if (char === ')') {
      const open = parens.pop();
      if (open !== undefined) paren[open] = index;
    } else if (/\s/.test(char)) parens = [];
    else if (char === '`') {
      let end = index;
      while (source.charAt(end + 1) === '`') end += 1;
      // Each run's closer is the next run of its length, whatever became of the runs between.
      const previous = runs.get(end - index);
      if (previous !== undefined) code[previous] = index;
      runs.set(end - index, index);
      index = end;
    }
  }
  return [bracket, paren, code];
}

/** Parses inline Markdown. `depth` bounds nesting; `inLink` stops links inside link text. */
export function parseInline(source: string, depth: number, inLink = false): Inline[] {
  const nodes: Inline[] = [];
  let text = '';
  const pushText = () => {
    if (text) nodes.push({ type: 'text', text });
    text = '';
  };
  const push = (node: Inline) => {
    pushText();
    nodes.push(node);
  };
  const [bracketCloser, parenCloser, codeCloser] = closers(source);
  // Delimiters known to have no closer after some point: later searches would fail too.
  const unclosed = new Set<string>();
  // A bare URL that failed to parse: no other may start inside its run of non-spaces.
  let noUrlBefore = 0;

  for (let index = 0; index < source.length;) {
    const char = source.charAt(index);
    const next = source.charAt(index + 1);
    // A view of the text from here (V8 makes it without copying).
    const rest = source.slice(index);

    if (char === '\\' && ESCAPABLE.test(next)) {
      text += next;
      index += 2;
      continue;
    }
    if (char === '\n') {
      push({ type: 'break' });
      index += 1;
      continue;
    }
    if (char === '`') {
      const run = RUN.exec(rest)?.[0] ?? '`';
      const end = codeCloser[index];
      if (end === undefined) {
        text += run;
      } else {
        const code = source.slice(index + run.length, end).replace(/\n/g, ' ');
        const padded = code.length > 2 && code.startsWith(' ') && code.endsWith(' ');
        push({ type: 'code', text: padded ? code.slice(1, -1) : code });
        index = end;
      }
      index += run.length;
      continue;
    }
    if (char === '[') {
      const citation = CITATION.exec(rest);
      if (citation) {
        push({ type: 'citation', number: Number(citation[1]) });
        index += citation[0].length;
        continue;
      }
      const labelEnd = bracketCloser[index];
      const destinationEnd = labelEnd === undefined ? undefined : parenCloser[labelEnd + 1];
      if (!inLink && depth < MAX_DEPTH && labelEnd !== undefined && destinationEnd !== undefined) {
        const label = source.slice(index + 1, labelEnd);
        const children = parseInline(label, depth + 1, true);
        const href = safeHref(source.slice(labelEnd + 2, destinationEnd));
        // An unsafe link keeps its text and loses its address; one whose text is another
        // address than its own shows where it really goes.
        if (href) push({ type: 'link', href, children: honestLabel(children, href) });
        else children.forEach(push);
        index = destinationEnd + 1;
        continue;
      }
    }
    if (!inLink && (char === '<' || ((char === 'h' || char === 'H') && index >= noUrlBefore))) {
      const autolink = char === '<' ? AUTOLINK.exec(rest) : undefined;
      const closed = autolink && source.charAt(index + autolink[0].length) === '>';
      const bare =
        char !== '<' && !WORD.test(source.charAt(index - 1)) ? BARE_URL.exec(rest) : undefined;
      const url = closed ? autolink[1] : bare ? trimUrl(bare[0]) : undefined;
      const href = url === undefined ? undefined : safeHref(url);
      if (url !== undefined && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: url }] });
        index += closed ? autolink[0].length + 1 : url.length;
        continue;
      }
      if (bare) noUrlBefore = index + bare[0].length;
    }
    if ((char === '*' || char === '_') && depth < MAX_DEPTH) {
      const emphasis = matchEmphasis(source, index, unclosed);
      if (emphasis) {
        const children = parseInline(emphasis.inner, depth + 1, inLink);
        push(
          emphasis.strength === 3
            ? { type: 'strong', children: [{ type: 'emphasis', children }] }
            : { type: emphasis.strength === 2 ? 'strong' : 'emphasis', children },
        );
        index = emphasis.end;
        continue;
      }
      const run = RUN.exec(rest)?.[0] ?? char;
      text += run;
      index += run.length;
      continue;
    }
    text += char;
    index += 1;
  }
  pushText();
  return nodes;
}

/**
 * A link labelled with an address (`[https://bank.example](https://other.example)`) is shown
 * with the address it really opens, unless the label is that very address, so its text cannot
 * pass it off as another site.
 */
function honestLabel(children: Inline[], href: string): Inline[] {
  const label = children.map(inlineText).join('').trim();
  const scheme = /^[a-z]+:/i.test(label) ? '' : /@/.test(label) ? 'mailto:' : 'https://';
  return /^\S+\.[a-z]{2,}\b\S*$/i.test(label) && safeHref(scheme + label) !== href
    ? [{ type: 'text', text: href }]
    : children;
}

/** A bare URL without the sentence punctuation that follows it, or an unmatched `)`. */
function trimUrl(url: string): string {
  // Opened minus closed parentheses, counted once.
  let balance = url.split('(').length - url.split(')').length;
  let end = url.length;
  for (;;) {
    while (end > 0 && '.,;:!?\'"*_'.includes(url.charAt(end - 1))) end -= 1;
    if (url.charAt(end - 1) !== ')' || balance >= 0) return url.slice(0, end);
    balance += 1;
    end -= 1;
  }
}

/**
 * `*em*`, `**strong**`, `***both***` and the `_` forms. An opener must be followed by a non-space
 * and a closer preceded by one; `_` must also sit outside words, so snake_case stays as written.
 */
function matchEmphasis(
  source: string,
  start: number,
  unclosed: Set<string>,
): { strength: 1 | 2 | 3; inner: string; end: number } | undefined {
  const char = source.charAt(start);
  const run = RUN.exec(source.slice(start))?.[0] ?? char;
  const strength = Math.min(run.length, 3) as 1 | 2 | 3;
  const delimiter = char.repeat(strength);
  const contentStart = start + strength;
  if (run.length > 3 || unclosed.has(delimiter)) return undefined;
  if (/\s/.test(source.charAt(contentStart)) || contentStart >= source.length) return undefined;
  if (char === '_' && WORD.test(source.charAt(start - 1))) return undefined;

  for (
    let at = source.indexOf(delimiter, contentStart + 1);
    at !== -1;
    at = source.indexOf(delimiter, at + 1)
  ) {
    const before = source.charAt(at - 1);
    const after = source.charAt(at + strength);
    if (/\s/.test(before) || before === char || after === char) continue;
    if (char === '_' && WORD.test(after)) continue;
    return { strength, inner: source.slice(contentStart, at), end: at + strength };
  }
  unclosed.add(delimiter);
  return undefined;
}
