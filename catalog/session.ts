// A catalog session over any node-postgres-like client: the reader's statements run inside one
// read-only REPEATABLE READ transaction per database, so the tables, columns and keys of a snapshot
// describe the same moment even while DDL runs on the source. No pg import: the agent and the CLI
// each bring their own client.

import type { CatalogSession } from './reader.js';

export interface QueryableClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export async function inSnapshotTransaction<T>(
  client: QueryableClient,
  fn: (session: CatalogSession) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // The columns statement sorts every column of the database (100,000 for 10,000 tables): with the
    // default 4 MB it spills 20 MB to disk. For this transaction only.
    await client.query(`SET LOCAL work_mem = '64MB'`);
    const result = await fn({
      query: async <R extends object>(sql: string, params?: readonly unknown[]) =>
        (await client.query(sql, params === undefined ? undefined : [...params])).rows as R[],
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
