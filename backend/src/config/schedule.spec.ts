import { nextRun, parseSchedule } from './schedule';

describe('INGEST_SCHEDULE', () => {
  const now = new Date('2026-05-20T15:00:00Z'); // a Wednesday

  it.each([
    ['0 3 * * *', '2026-05-21T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', '2026-05-21T03:00:00.000Z'],
    ['cron(30 16 ? * MON-FRI *)', '2026-05-20T16:30:00.000Z'],
    // EventBridge counts weekdays from 1 = Sunday: 2 is Monday.
    ['cron(0 6 ? * 2 *)', '2026-05-25T06:00:00.000Z'],
  ])('%s runs next at %s', (expression, expected) => {
    const schedule = parseSchedule(expression);
    expect(schedule && nextRun(schedule, now)?.toISOString()).toBe(expected);
  });

  it('counts a rate from the last run, and knows nothing without one', () => {
    const schedule = parseSchedule('rate(6 hours)');
    expect(schedule).toEqual({ kind: 'rate', everyMs: 6 * 3_600_000 });
    if (!schedule) return;
    expect(nextRun(schedule, now)).toBeUndefined();
    expect(nextRun(schedule, now, new Date('2026-05-20T10:00:00Z'))?.toISOString()).toBe(
      '2026-05-20T16:00:00.000Z',
    );
  });

  it.each([
    '',
    'daily',
    'cron(0 3 * * ? 2027)',
    'rate(0 days)',
    'rate(2 weeks)',
    '0 3 * *',
    '61 3 * * *',
  ])('refuses %j', (expression) => {
    expect(parseSchedule(expression)).toBeUndefined();
  });
});
