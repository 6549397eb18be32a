import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { inTransaction } from './postgres-transaction';
import { type SqlQuery, type SqlRow } from './sql-query';

/**
 * A store's connection pool. Every query has a deadline, so a database that stops answering fails
 * a call instead of holding it; `options` (the tests' settings) win over these.
 */
export function storePool(
  connectionString: string,
  { max, applicationName }: { max: number; applicationName: string },
  options: Partial<PoolConfig> = {},
): Pool {
  const pool = new Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
    statement_timeout: 15_000,
    application_name: applicationName,
    ...options,
  });
  // An idle connection the server closed (a restart, a failover) is an event, not a crash: the
  // pool drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  return pool;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the shared SQL has no `?` anywhere else). */
export function numbered(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

/** The rows of one query of the SQL the SQLite and PostgreSQL stores share. */
export async function queryRows(on: Pool | PoolClient, query: SqlQuery): Promise<SqlRow[]> {
  return (await on.query<SqlRow>(numbered(query.text), query.params)).rows;
}

/** Runs the queries in one transaction; returns each one's row count. */
export function runAllInTransaction(pool: Pool, queries: SqlQuery[]): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    const counts: number[] = [];
    for (const query of queries) {
      counts.push((await client.query(numbered(query.text), query.params)).rowCount ?? 0);
    }
    return counts;
  });
}
