import { CircuitBreaker } from './circuit-breaker';

/** Three failures in a row open it; a second's cool-down lets one trial through. */
const OPTIONS = { failureThreshold: 3, cooldownMs: 1000 };

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ ...OPTIONS, now: () => now });
  beforeEach(() => {
    now = 0;
  });

  it('opens after N consecutive failures, then admits a single trial after the cool-down', () => {
    const subject = breaker();
    for (let failure = 0; failure < 3; failure++) {
      expect(subject.tryAcquire()).toBe(true);
      subject.recordFailure();
    }
    expect(subject.state).toBe('open');
    expect(subject.tryAcquire()).toBe(false);

    now = 1000;
    expect(subject.tryAcquire()).toBe(true);
    expect(subject.state).toBe('half_open');
    expect(subject.tryAcquire()).toBe(false); // only one trial at a time
    subject.recordSuccess();
    expect(subject.state).toBe('closed');
    expect(subject.tryAcquire()).toBe(true);
  });

  it('a failed trial re-opens it for another cool-down; a released one frees the trial', () => {
    const subject = breaker();
    for (let failure = 0; failure < 3; failure++) subject.recordFailure();
    now = 1000;
    subject.tryAcquire();
    subject.release();
    expect(subject.tryAcquire()).toBe(true);
    subject.recordFailure();
    expect(subject.state).toBe('open');
    now = 1999;
    expect(subject.tryAcquire()).toBe(false);
  });

  it('a success or a gap longer than the window restarts the streak', () => {
    const subject = breaker();
    subject.recordFailure();
    subject.recordFailure();
    subject.recordSuccess();
    subject.recordFailure();
    subject.recordFailure();
    now = 1001;
    subject.recordFailure();
    expect(subject.state).toBe('closed');
  });
});
