import { CapacitySearch, heldTargets, type LevelFigures } from './chat-capacity';

/** Runs a search against a server that holds every level up to `limit` and none above. */
function search(limit: number, start = 25, resolution = 0.05) {
  const levels: number[] = [];
  const capacity = new CapacitySearch(start, resolution);
  for (let level = capacity.next(); level !== undefined; level = capacity.next()) {
    levels.push(level);
    capacity.record(level, level <= limit);
  }
  return { capacity: capacity.capacity, levels };
}

describe('CapacitySearch', () => {
  it('doubles until a level fails, then bisects to within the resolution', () => {
    const { capacity, levels } = search(333);
    expect(levels.slice(0, 6)).toEqual([25, 50, 100, 200, 400, 300]);
    expect(capacity).toBeLessThanOrEqual(333);
    expect(333 - capacity).toBeLessThanOrEqual(Math.floor(capacity * 0.05));
  });

  it('halves down when the first level already fails', () => {
    const { capacity, levels } = search(7);
    expect(levels.slice(0, 3)).toEqual([25, 12, 6]);
    expect(capacity).toBe(7);
  });

  it('finds exact small capacities, and zero when nothing holds', () => {
    expect(search(1).capacity).toBe(1);
    expect(search(0)).toEqual({ capacity: 0, levels: [25, 12, 6, 3, 1] });
  });

  it('stops at the ceiling when every level holds', () => {
    const capacity = new CapacitySearch(25, 0.05, 100);
    const levels: number[] = [];
    for (let level = capacity.next(); level !== undefined; level = capacity.next()) {
      levels.push(level);
      capacity.record(level, true);
    }
    expect(levels).toEqual([25, 50, 100]);
    expect(capacity.capacity).toBe(100);
  });
});

describe('heldTargets', () => {
  const good: LevelFigures = {
    conversations: 100,
    completed: 100,
    tokensLost: 0,
    tokensDuplicated: 0,
    tokensMisrouted: 0,
    maxConcurrentStreams: 100,
    tokenDelayP99Ms: 25,
    ttftAddedP50Ms: 15,
  };

  it('holds at the targets exactly', () => {
    expect(heldTargets(good)).toBe(true);
  });

  it.each<[string, Partial<LevelFigures>]>([
    ['a token late', { tokenDelayP99Ms: 25.01 }],
    ['a slow first token', { ttftAddedP50Ms: 15.5 }],
    ['a lost token', { tokensLost: 1 }],
    ['a duplicated token', { tokensDuplicated: 1 }],
    ['a misrouted token', { tokensMisrouted: 1 }],
    ['an unfinished answer', { completed: 99 }],
    ['answers that did not all stream at once', { maxConcurrentStreams: 99 }],
  ])('fails with %s', (_, change) => {
    expect(heldTargets({ ...good, ...change })).toBe(false);
  });
});
