import { type Pool, type PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a connection of `pool`: committed when it returns, rolled back
 * when it throws. A connection that cannot even roll back is dropped rather than handed to the
 * next query.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
