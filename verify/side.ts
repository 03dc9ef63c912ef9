// One side of a comparison (the source or the target database): a small pool of connections that all
// read the same REPEATABLE READ READ ONLY snapshot (the first exports it, the others import it), with
// the session settings that make text forms canonical. Values come back as PostgreSQL's text, never
// parsed by node-pg, so a key read on one side can be sent back as a parameter unchanged.

import pg from 'pg';
import { VerifyError } from './errors.js';

export type SideName = 'source' | 'target';

export interface SideAccess {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
  readonly ssl: boolean;
}

/** Settings every verifying session runs with: UTC instants, ISO dates, exact floats, hex bytea. */
export const CANONICAL_SETTINGS: readonly (readonly [string, string])[] = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '3'],
  ['bytea_output', 'hex'],
  ['statement_timeout', '0'],
  ['lock_timeout', '0'],
];

const RAW_TYPES = { getTypeParser: () => (value: string) => value };

export type Row = readonly (string | null)[];

/**
 * Whether a failed statement means the connection is gone (the run stops, resumable from its
 * checkpoint) rather than that the statement failed on one table. PostgreSQL's own errors carry a
 * SQLSTATE (class 08 connection exception, 57 operator intervention: a shutdown, a terminated
 * backend); a socket that breaks mid-query carries Node's code instead (ECONNRESET, EPIPE: no SQLSTATE
 * class starts with E), or none ("Connection terminated unexpectedly").
 */
export function lostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return true;
  return code.startsWith('E') || code.startsWith('08') || code.startsWith('57');
}

export class Side {
  readonly #clients: pg.Client[] = [];
  readonly #idle: pg.Client[] = [];
  readonly #waiters: ((client: pg.Client) => void)[] = [];
  #snapshot: string | null = null;
  #serverVersion = 0;

  private constructor(
    readonly name: SideName,
    readonly access: SideAccess,
    readonly size: number,
  ) {}

  get database(): string {
    return this.access.database;
  }

  /** server_version_num, e.g. 100023. */
  get serverVersion(): number {
    return this.#serverVersion;
  }

  /**
   * Opens `size` connections on one snapshot. `rolling` skips the shared snapshot: each borrow of a
   * connection then runs its own read-only transaction (fresh data while replication runs).
   */
  static async open(name: SideName, access: SideAccess, size: number, appName: string): Promise<Side> {
    const side = new Side(name, access, Math.max(1, size));
    try {
      for (let i = 0; i < side.size; i++) {
        const client = await side.#connect(appName);
        side.#clients.push(client);
        await side.#begin(client);
        side.#idle.push(client);
      }
    } catch (error) {
      await side.close();
      throw error;
    }
    return side;
  }

  async #connect(appName: string): Promise<pg.Client> {
    const { access } = this;
    const client = new pg.Client({
      host: access.host,
      port: access.port,
      user: access.user,
      password: access.password ?? undefined,
      database: access.database,
      ssl: access.ssl ? { rejectUnauthorized: false } : false,
      application_name: appName,
      connectionTimeoutMillis: 15_000,
      types: RAW_TYPES,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new VerifyError(
        `cannot connect to the ${this.name} database ${access.database} at ${access.host}:${access.port} as ${access.user}: ${(error as Error).message}`,
        { side: this.name, database: access.database },
      );
    }
    const sets = CANONICAL_SETTINGS.map(([key, value]) => `SET ${key} = '${value}'`).join('; ');
    await client.query(sets);
    if (this.#serverVersion === 0) {
      const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
      this.#serverVersion = Number(rows[0]!.v);
    }
    return client;
  }

  async #begin(client: pg.Client): Promise<void> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (this.#snapshot === null) {
      const { rows } = await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s');
      this.#snapshot = rows[0]!.s;
    } else {
      await client.query(`SET TRANSACTION SNAPSHOT '${this.#snapshot}'`);
    }
  }

  /**
   * Starts a new snapshot on every connection (rolling re-checks read fresh data). Waits until all
   * connections are idle.
   */
  async refreshSnapshot(): Promise<void> {
    const all: pg.Client[] = [];
    for (let i = 0; i < this.#clients.length; i++) all.push(await this.#borrow());
    this.#snapshot = null;
    try {
      for (const client of all) {
        await client.query('COMMIT');
        await this.#begin(client);
      }
    } finally {
      for (const client of all) this.#release(client);
    }
  }

  #borrow(): Promise<pg.Client> {
    const client = this.#idle.pop();
    if (client) return Promise.resolve(client);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(client: pg.Client): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(client);
    else this.#idle.push(client);
  }

  /** One statement on any free connection of the pool; rows as arrays of text. */
  async rows(sql: string, params: readonly (string | null)[] = [], table?: string): Promise<Row[]> {
    const client = await this.#borrow();
    try {
      const result = await client.query({ text: sql, values: [...params], rowMode: 'array' });
      return result.rows as Row[];
    } catch (error) {
      throw this.#explain(error, table);
    } finally {
      this.#release(client);
    }
  }

  #explain(error: unknown, table: string | undefined): VerifyError {
    const pgError = error as { code?: string; message?: string };
    const where = `${this.name} database ${this.database}${table ? `, table ${table}` : ''}`;
    if (pgError.code === '42501') {
      return new VerifyError(
        `permission denied on the ${where}: the verifying role needs SELECT on every compared table (${pgError.message})`,
        { side: this.name, database: this.database, ...(table ? { table } : {}) },
      );
    }
    if (lostConnection(error)) {
      return new VerifyError(`lost the connection to the ${where}: ${pgError.message ?? String(error)}`, {
        side: this.name,
        database: this.database,
        ...(table ? { table } : {}),
      });
    }
    return new VerifyError(`query failed on the ${where}: ${pgError.message ?? String(error)}`, {
      side: this.name,
      database: this.database,
      ...(table ? { table } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#clients.map(async (client) => {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      }),
    );
  }
}
