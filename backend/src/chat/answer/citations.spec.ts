import { CitationFilter, saysNotFound } from './citations';

/** Streams `pieces` through a filter over `sources` sources, as the write step does. */
function filtered(pieces: string[], sources: number) {
  const filter = new CitationFilter(sources);
  const shown = pieces.map((piece) => filter.push(piece)).join('') + filter.end();
  return { shown, cited: filter.cited, dropped: filter.dropped };
}

describe('CitationFilter (the check-citations step, as the answer streams)', () => {
  it('keeps markers that name a provided source and drops the others, split across tokens', () => {
    expect(filtered(['Book online [', '2', '] or call [', '7', '].'], 3)).toEqual({
      shown: 'Book online [2] or call .',
      cited: [2],
      dropped: 1,
    });
  });

  it('drops [0] and numbers past the sources, and records each source once, in order', () => {
    expect(filtered(['A [0]', ' B [3][1]', ' C [3] D [4]'], 3)).toEqual({
      shown: 'A  B [3][1] C [3] D ',
      cited: [3, 1],
      dropped: 2,
    });
  });

  it('passes brackets that are not markers through unchanged, even at the very end', () => {
    expect(filtered(['Options: [', 'beta] and [x', '] ok [12'], 20).shown).toBe(
      'Options: [beta] and [x] ok [12',
    );
    expect(filtered(['Links: [docs](https://x.test/a)'], 1).shown).toBe(
      'Links: [docs](https://x.test/a)',
    );
  });

  it('holds back only what may still become a marker', () => {
    const filter = new CitationFilter(5);
    expect(filter.push('Paddle [')).toBe('Paddle ');
    expect(filter.push('1')).toBe('');
    expect(filter.push('] now')).toBe('[1] now');
  });
});

describe('saysNotFound (a model saying it could not answer)', () => {
  it.each([
    "I couldn't find how to do that on this site.",
    'I couldn’t find that in the sources.',
    'Je n’ai pas trouvé de tarif de groupe.',
    'I could not find any information about parking in the sources.',
    'The sources do not mention a student discount.',
    "Je n'ai pas trouvé cette information sur le site.",
    'No he podido encontrar esa información.',
    'Das habe ich nicht gefunden.',
    '',
  ])('takes %j for not found', (answer) => {
    expect(saysNotFound(answer)).toBe(true);
  });

  it.each([
    'The Sunset Paddle costs $72 for adults and $45 for children under 16 [1].',
    // A long answer that mentions, late, something it could not find still answered.
    `${'Tours leave from the north dock at 9:00, 13:00 and 18:30 every day from May to September, and each one lasts about two and a half hours with a break on the beach [1]. '.repeat(2)}I could not find whether dogs may come along.`,
  ])('takes %j for an answer', (answer) => {
    expect(saysNotFound(answer)).toBe(false);
  });
});
