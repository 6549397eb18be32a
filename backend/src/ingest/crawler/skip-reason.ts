/** Why a URL was not indexed: exactly one of these per skipped URL in the crawl report. */
export const SKIP_REASONS = [
  'robots',
  'excluded',
  'depth',
  'page limit',
  'noindex',
  'content type',
  'too large',
  'duplicate',
  'redirect out of scope',
  'other site',
  'private network',
  'http status',
  'timeout',
  'parse error',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
