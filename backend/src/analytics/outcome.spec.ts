import { citedNumbers, deriveOutcome } from './outcome';

describe('deriveOutcome', () => {
  const ending = { sourceCount: 2, cancelled: false, failed: false };

  it('is answered when the answer cites a source it was given', () => {
    expect(deriveOutcome({ ...ending, answer: 'Tours cost $72 [2].' })).toBe('answered');
    expect(deriveOutcome({ ...ending, answer: 'See [1, 2].' })).toBe('answered');
  });

  it('is not_found when nothing given is cited', () => {
    expect(deriveOutcome({ ...ending, answer: "I couldn't find that on this site." })).toBe(
      'not_found',
    );
    expect(deriveOutcome({ ...ending, answer: 'It is in [7].' })).toBe('not_found');
    expect(deriveOutcome({ ...ending, sourceCount: 0, answer: 'Yes [1].' })).toBe('not_found');
  });

  it('reports failures and cancellations first', () => {
    expect(deriveOutcome({ ...ending, answer: 'x [1]', failed: true })).toBe('error');
    expect(deriveOutcome({ ...ending, answer: 'x [1]', cancelled: true })).toBe('cancelled');
  });

  it('reads every marker', () => {
    expect([...citedNumbers('a [1][3] b [2, 4]')].sort()).toEqual([1, 2, 3, 4]);
  });
});
