import { MemoryResponseCache } from './memory.cache';
import { type CachedAnswer, type ResponseCacheKey, normaliseQuestion } from './response-cache';

const keyFor = (question: string, indexVersion = 1): ResponseCacheKey => ({
  question,
  indexVersion,
  provider: 'openai',
  model: 'gpt-test',
});
const answer = (text: string): CachedAnswer => ({
  answer: text,
  sources: [{ title: 'Deploy', url: 'http://lorechat.test/deploy', snippet: 'Run it.' }],
});

describe('normaliseQuestion', () => {
  it('folds case, compatibility forms and whitespace, and drops trailing punctuation', () => {
    expect(normaliseQuestion('  How do I\tdeploy\n to   PROD?!  ')).toBe('how do i deploy to prod');
    // Full-width letters and the ellipsis character are compatibility forms of plain ones.
    expect(normaliseQuestion('Ｄｅｐｌｏｙ…')).toBe('deploy');
    expect(normaliseQuestion('What is v1.2?')).toBe('what is v1.2');
  });

  it('keeps punctuation that changes the meaning inside the question', () => {
    expect(normaliseQuestion('Is it A.B or AB?')).not.toBe(normaliseQuestion('Is it AB or AB?'));
  });
});

describe('MemoryResponseCache', () => {
  let now: number;
  const cacheWith = (maxEntries = 10, ttlMs = 60_000) =>
    new MemoryResponseCache({ maxEntries, ttlMs }, () => now);

  // lru-cache reads a start time of 0 as "no TTL", so the test clock starts later, as a real one does.
  const start = 1_000_000;
  beforeEach(() => {
    now = start;
  });

  it('returns a stored answer for the same key only', async () => {
    const cache = cacheWith();
    await cache.set(keyFor('deploy'), answer('Run it.'));
    expect(await cache.get(keyFor('deploy'))).toEqual(answer('Run it.'));
    expect(await cache.get(keyFor('rollback'))).toBeUndefined();
    expect(await cache.get({ ...keyFor('deploy'), model: 'gpt-other' })).toBeUndefined();
  });

  it('drops the least recently used answer when full', async () => {
    const cache = cacheWith(2);
    await cache.set(keyFor('a'), answer('A'));
    await cache.set(keyFor('b'), answer('B'));
    await cache.get(keyFor('a'));
    await cache.set(keyFor('c'), answer('C'));
    expect(await cache.get(keyFor('b'))).toBeUndefined();
    expect(await cache.get(keyFor('a'))).toEqual(answer('A'));
    expect(await cache.get(keyFor('c'))).toEqual(answer('C'));
    expect(cache.size).toBe(2);
  });

  it('expires answers after the TTL', async () => {
    const cache = cacheWith(10, 1000);
    await cache.set(keyFor('a'), answer('A'));
    now = start + 1000;
    expect(await cache.get(keyFor('a'))).toEqual(answer('A'));
    now = start + 1001;
    expect(await cache.get(keyFor('a'))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never serves an answer of another index version, and drops older versions once seen', async () => {
    const cache = cacheWith();
    await cache.set(keyFor('a', 1), answer('old'));
    await cache.set(keyFor('b', 1), answer('old b'));
    expect(await cache.get(keyFor('a', 2))).toBeUndefined();
    expect(cache.size).toBe(0);
    // An answer built from the old index that finishes after the change is not kept either.
    await cache.set(keyFor('a', 1), answer('late'));
    expect(await cache.get(keyFor('a', 1))).toBeUndefined();
    await cache.set(keyFor('a', 2), answer('new'));
    expect(await cache.get(keyFor('a', 2))).toEqual(answer('new'));
  });
});
