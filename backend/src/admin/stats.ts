import { type DayCounts } from '../analytics/conversation-log.store';
import { utcDay } from '../analytics/log-record';

const DAY_MS = 86_400_000;

export interface StatsDay extends DayCounts {
  tokens: number;
  /** 95th percentile of time to first token (nearest rank), null on a day without answers. */
  firstTokenP95Ms: number | null;
}

/** The first instant of the oldest of the last `days` UTC days, today included. */
export function sinceDays(days: number, now: number): number {
  const today = Date.parse(`${utcDay(now)}T00:00:00Z`);
  return today - (days - 1) * DAY_MS;
}

/** Nearest-rank percentile: the smallest value at least `share` of the values are at or under. */
export function percentile(values: number[], share: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? null;
}

function empty(day: string): DayCounts {
  return {
    day,
    questions: 0,
    answered: 0,
    notFound: 0,
    errors: 0,
    cancelled: 0,
    ratedUp: 0,
    ratedDown: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
}

/** One entry per day of the period, days without questions included (as zeros), and totals. */
export function buildStats(
  days: number,
  now: number,
  counts: DayCounts[],
  firstTokens: { day: string; ms: number }[],
): { days: StatsDay[]; totals: Omit<StatsDay, 'day'> } {
  const since = sinceDays(days, now);
  const byDay = new Map(counts.map((count) => [count.day, count]));
  const timesByDay = new Map<string, number[]>();
  for (const { day, ms } of firstTokens) {
    const list = timesByDay.get(day) ?? [];
    list.push(ms);
    timesByDay.set(day, list);
  }
  const list: StatsDay[] = [];
  for (let index = 0; index < days; index++) {
    const day = utcDay(since + index * DAY_MS);
    const count = byDay.get(day) ?? empty(day);
    list.push({
      ...count,
      tokens: count.inputTokens + count.outputTokens,
      firstTokenP95Ms: percentile(timesByDay.get(day) ?? [], 0.95),
    });
  }
  const sum = (pick: (day: StatsDay) => number) =>
    list.reduce((total, day) => total + pick(day), 0);
  return {
    days: list,
    totals: {
      questions: sum((day) => day.questions),
      answered: sum((day) => day.answered),
      notFound: sum((day) => day.notFound),
      errors: sum((day) => day.errors),
      cancelled: sum((day) => day.cancelled),
      ratedUp: sum((day) => day.ratedUp),
      ratedDown: sum((day) => day.ratedDown),
      inputTokens: sum((day) => day.inputTokens),
      outputTokens: sum((day) => day.outputTokens),
      tokens: sum((day) => day.tokens),
      costUsd: sum((day) => day.costUsd),
      firstTokenP95Ms: percentile(
        firstTokens.map((time) => time.ms),
        0.95,
      ),
    },
  };
}
