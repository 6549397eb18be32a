import { Cron } from 'croner';

/**
 * When the crawl runs (`INGEST_SCHEDULE`), so the owner's console can say when the next one is due.
 * Three spellings are accepted: a standard five-field cron line (`0 3 * * *`), and the two forms an
 * EventBridge schedule takes in AWS — `cron(minutes hours day-of-month month day-of-week year)` and
 * `rate(N minutes|hours|days)`. Times are UTC, as EventBridge's are here.
 */
export type Schedule = { kind: 'cron'; cron: Cron } | { kind: 'rate'; everyMs: number };

const RATE = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/i;
const EVENTBRIDGE_CRON = /^cron\((.*)\)$/i;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** EventBridge numbers weekdays 1-7 from Sunday; five-field cron numbers them 0-6 from Sunday. */
const NUMBERED_WEEKDAY = /\b([1-7])\b/g;

export function parseSchedule(expression: string): Schedule | undefined {
  const text = expression.trim();
  const rate = RATE.exec(text);
  if (rate) {
    const count = Number(rate[1]);
    const unit = (rate[2] ?? '').toLowerCase().replace(/s$/, '');
    const unitMs = UNIT_MS[unit];
    return count > 0 && unitMs ? { kind: 'rate', everyMs: count * unitMs } : undefined;
  }
  const eventBridge = EVENTBRIDGE_CRON.exec(text);
  const fiveFields = eventBridge ? fromEventBridge(eventBridge[1] ?? '') : text;
  if (fiveFields === undefined || fiveFields.split(/\s+/).length !== 5) return undefined;
  try {
    return { kind: 'cron', cron: new Cron(fiveFields, { timezone: 'UTC', paused: true }) };
  } catch {
    return undefined;
  }
}

export function isSchedule(expression: string): boolean {
  return parseSchedule(expression) !== undefined;
}

/**
 * The next run after `now`. A rate schedule counts from the last run's start, which is the best
 * guess available: EventBridge counts from when the schedule was created.
 */
export function nextRun(schedule: Schedule, now: Date, lastRunStart?: Date): Date | undefined {
  if (schedule.kind === 'cron') return schedule.cron.nextRun(now) ?? undefined;
  if (!lastRunStart) return undefined;
  const elapsed = now.getTime() - lastRunStart.getTime();
  const periods = Math.max(1, Math.ceil(elapsed / schedule.everyMs));
  return new Date(lastRunStart.getTime() + periods * schedule.everyMs);
}

/**
 * `cron(0 3 * * ? *)` as the five-field line croner reads. Only the year `*` is supported (a crawl
 * schedule limited to some years has no use); `?` means "any", and weekday numbers shift by one.
 */
function fromEventBridge(fields: string): string | undefined {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6 || parts[5] !== '*') return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part) =>
    part === '?' ? '*' : part,
  ) as [string, string, string, string, string];
  const weekday = dayOfWeek.replace(NUMBERED_WEEKDAY, (digit) => String(Number(digit) - 1));
  return [minute, hour, dayOfMonth, month, weekday].join(' ');
}
