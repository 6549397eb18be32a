import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { inTransaction } from './postgres-transaction';
import { type SqlQuery, type SqlRow } from './sql-query';

export interface PostgresDatabaseOptions {
  /** Connections at most: a store's calls are few and short. */
  max: number;
  /** How the connections are named in pg_stat_activity. */
  applicationName: string;
  /** The pg_advisory_xact_lock key that serialises `setUp` when every task starts at once. */
  schemaLock: number;
  /** Creates the tables (and checks them), in one transaction under the lock. */
  setUp(client: PoolClient): Promise<void>;
}

/**
 * A store's PostgreSQL database, shared by every task: a small pool whose every query has a
 * deadline, so a database that stops answering fails a call instead of holding it, and tables
 * created on first use. `pool` (the tests' settings) wins over these.
 */
export class PostgresDatabase {
  private readonly pool: Pool;
  private initialised?: Promise<void>;

  constructor(
    connectionString: string,
    private readonly options: PostgresDatabaseOptions,
    pool: Partial<PoolConfig> = {},
  ) {
    this.pool = new Pool({
      connectionString,
      max: options.max,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      query_timeout: 15_000,
      statement_timeout: 15_000,
      application_name: options.applicationName,
      ...pool,
    });
    // An idle connection the server closed (a restart, a failover) is an event, not a crash: the
    // pool drops it and the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  /** Creates the tables once; a failure (database down) is tried again on the next call. */
  init(): Promise<void> {
    this.initialised ??= inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [this.options.schemaLock]);
      await this.options.setUp(client);
    }).catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
  }

  /** The rows of one query. */
  async all(query: SqlQuery): Promise<SqlRow[]> {
    await this.init();
    return queryRows(this.pool, query);
  }

  /** Runs the queries in one transaction; returns each one's row count. */
  async runAll(queries: SqlQuery[]): Promise<number[]> {
    await this.init();
    return inTransaction(this.pool, async (client) => {
      const counts: number[] = [];
      for (const query of queries) {
        counts.push((await client.query(numbered(query.text), query.params)).rowCount ?? 0);
      }
      return counts;
    });
  }

  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.init();
    return inTransaction(this.pool, work);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the shared SQL has no `?` anywhere else). */
function numbered(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

/** The rows of one query of the SQL the SQLite and PostgreSQL stores share. */
export async function queryRows(on: Pool | PoolClient, query: SqlQuery): Promise<SqlRow[]> {
  return (await on.query<SqlRow>(numbered(query.text), query.params)).rows;
}
