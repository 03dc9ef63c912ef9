// The agent's connections to the local PostgreSQL: a tiny pool for reads, and a fresh client for each
// administrative step (a fresh login is itself a check after a reload). Connection failures become
// DB_UNAVAILABLE; every session is stamped with the agent's application_name and short timeouts.

import type pg from 'pg';
import { AgentError, isUnavailable } from '../errors.js';
import driver from './driver.js';

// int8 and numeric as strings by default; LSN arithmetic is cast to bigint and parsed where needed.
export interface DbOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password?: string;
  readonly connectTimeoutMs: number;
}

export interface Db {
  readonly options: DbOptions;
  query<R extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A fresh session (optionally in another database), ended afterwards. */
  withClient<T>(fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T>;
  serverVersionNum(): Promise<number>;
  /** Forget cached facts (after a restart). */
  invalidate(): void;
  /** Statements sent so far, by label (for metrics and the benchmark's cache check). */
  readonly queryCounts: Map<string, number>;
  count(label: string): void;
  close(): Promise<void>;
}

function clientConfig(options: DbOptions, database?: string): pg.ClientConfig {
  return {
    host: options.host,
    port: options.port,
    user: options.user,
    database: database ?? options.database,
    ...(options.password === undefined ? {} : { password: options.password }),
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'pgferry-agent',
    statement_timeout: 30_000,
    lock_timeout: 2_000,
  } as pg.ClientConfig;
}

function wrap(error: unknown): never {
  if (isUnavailable(error)) {
    throw new AgentError('DB_UNAVAILABLE', `PostgreSQL is unreachable: ${(error as Error).message}`);
  }
  throw error;
}

export function createDb(options: DbOptions): Db {
  const pool = new driver.Pool({ ...clientConfig(options), max: 2, idleTimeoutMillis: 10_000 });
  // An idle pooled session killed by a restart must not crash the agent.
  pool.on('error', () => undefined);
  let version: number | null = null;
  const queryCounts = new Map<string, number>();
  const db: Db = {
    options,
    queryCounts,
    count(label) {
      queryCounts.set(label, (queryCounts.get(label) ?? 0) + 1);
    },
    async query<R extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]) {
      try {
        return (await pool.query<R>(sql, params as unknown[] | undefined)).rows;
      } catch (error) {
        // A pooled session may predate a server restart: one retry on a fresh connection.
        if (!isUnavailable(error)) throw error;
        try {
          return (await pool.query<R>(sql, params as unknown[] | undefined)).rows;
        } catch (retryError) {
          return wrap(retryError);
        }
      }
    },
    async withClient(fn, database) {
      const client = new driver.Client(clientConfig(options, database));
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (error) {
        wrap(error);
      }
      try {
        return await fn(client);
      } catch (error) {
        return wrap(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async serverVersionNum() {
      if (version === null) {
        const rows = await db.query<{ v: string }>("SELECT pg_catalog.current_setting('server_version_num') AS v");
        version = Number(rows[0]!.v);
      }
      return version;
    },
    invalidate() {
      version = null;
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
  return db;
}
