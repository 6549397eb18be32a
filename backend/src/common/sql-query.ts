/** What the stores that keep one SQL text for SQLite and PostgreSQL share. */

/** One SQL statement with `?` placeholders, and their values. */
export interface SqlQuery {
  text: string;
  params: unknown[];
}

/** Where a store's SQL is run: each dialect's types and placeholders differ a little. */
export type Dialect = 'sqlite' | 'postgres';

export type SqlRow = Record<string, unknown>;
