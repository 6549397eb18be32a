/** What the admin API returns (its OpenAPI document at /v1/admin/openapi.json is the reference). */

export type Outcome = 'answered' | 'not_found' | 'error' | 'cancelled';

export interface Turn {
  messageId: string;
  conversationId: string;
  visitorId: string;
  askedAt: number;
  question: string;
  answer: string;
  sources: { url: string; title: string; cited: boolean }[];
  outcome: Outcome;
  errorCode?: string;
  page?: { url: string; title?: string };
  locale?: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
  firstTokenMs?: number;
  totalMs: number;
  cached: boolean;
  rating?: 'up' | 'down';
  comment?: string;
}

export interface Conversation {
  conversationId: string;
  visitorId: string;
  siteKey: string;
  startedAt: number;
  lastAt: number;
  turns: Turn[];
}

export interface StatsDay {
  day: string;
  questions: number;
  answered: number;
  notFound: number;
  errors: number;
  cancelled: number;
  ratedUp: number;
  ratedDown: number;
  inputTokens: number;
  outputTokens: number;
  tokens: number;
  costUsd: number;
  firstTokenP95Ms: number | null;
}

export interface Stats {
  days: StatsDay[];
  totals: Omit<StatsDay, 'day'>;
}

export interface GapGroup {
  question: string;
  count: number;
  notFound: number;
  ratedDown: number;
  lastAskedAt: number;
  examples: Pick<
    Turn,
    | 'messageId'
    | 'conversationId'
    | 'question'
    | 'askedAt'
    | 'outcome'
    | 'rating'
    | 'comment'
    | 'page'
  >[];
  closestPage?: { url: string; title: string; section: string };
}

export interface PagesReport {
  indexedPages: number;
  mostCited: { url: string; title: string; citations: number }[];
  neverCited: { url: string; title: string }[];
}

export interface CrawlStatus {
  report: {
    startedAt: string;
    finishedAt: string;
    seconds: number;
    dryRun: boolean;
    sites: string[];
    totals: Record<string, number>;
    skippedByReason: Record<string, number>;
    failures: { url: string; reason?: string; detail?: string }[];
  } | null;
  schedule: string | null;
  nextRunAt: string | null;
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  answered: 'Answered',
  not_found: 'Not found',
  error: 'Error',
  cancelled: 'Stopped',
};
