import { HostPoliteness } from './host-politeness';

describe('HostPoliteness', () => {
  it('spaces requests to one host by the delay, but not requests to different hosts', async () => {
    const politeness = new HostPoliteness(40);
    const started = Date.now();
    await Promise.all([politeness.wait('a'), politeness.wait('a'), politeness.wait('a')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    const other = Date.now();
    await politeness.wait('b');
    expect(Date.now() - other).toBeLessThan(30);
  });

  it('lets robots.txt raise a delay but never lower it', () => {
    const politeness = new HostPoliteness(100);
    politeness.setDelay('a', 2000);
    politeness.setDelay('b', 10);
    expect(politeness.delayFor('a')).toBe(2000);
    expect(politeness.delayFor('b')).toBe(100);
  });
});
