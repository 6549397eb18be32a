/** URL path under which the bundled docs are served, and so cited. */
export const DOCS_ROUTE = '/docs';

/**
 * The origin the bundled docs are indexed under. Their citations are given PUBLIC_URL's origin when
 * served, so an index outlives a change of PUBLIC_URL.
 */
export const BUNDLED_DOCS_ORIGIN = 'https://bundled-docs.lorechat.invalid';
