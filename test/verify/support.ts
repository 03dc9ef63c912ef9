// Verification tests: a source and a target cluster, the same schema and data loaded on both (so
// equality is by construction), then differences injected on the target. runVerify is called
// in-process with the clusters' addresses.

import type { DatabaseReport, RowDifference, TableResult } from '../../verify/report-types.js';
import { runVerify, type VerifyOptions } from '../../verify/run.js';
import type { SideAccess } from '../../verify/side.js';
import type { ColumnInfo, TableInfo } from '../../verify/tables.js';
import type { PgCluster } from '../support/pg-cluster.js';

export function access(cluster: PgCluster, database: string, user = 'postgres'): SideAccess {
  return { host: cluster.host, port: cluster.port, user, password: null, database, ssl: false };
}

/** Runs `sql` in `database` on both clusters. */
export async function onBoth(source: PgCluster, target: PgCluster, database: string, sql: string): Promise<void> {
  await Promise.all([source.query(sql, [], database), target.query(sql, [], database)]);
}

export async function createDatabase(source: PgCluster, target: PgCluster, database: string): Promise<void> {
  await Promise.all([source.query(`CREATE DATABASE ${database}`), target.query(`CREATE DATABASE ${database}`)]);
}

export async function verify(
  source: PgCluster,
  target: PgCluster,
  database: string,
  options: Partial<VerifyOptions> = {},
) {
  return runVerify({
    plan: 'test',
    pairs: [{ source: access(source, database), target: access(target, database), selection: 'true' }],
    mode: 'checksum',
    tables: [],
    jobs: 2,
    chunkRows: 1000,
    postLoadSql: ['sql/post-data.sql'],
    rolling: null,
    allowedMismatches: 0,
    checkpointFile: () => null,
    ...options,
  });
}

export function table(db: DatabaseReport, name: string): TableResult {
  const found = db.tables.find((t) => t.table === name);
  if (!found) throw new Error(`no table ${name} in the report: ${db.tables.map((t) => t.table).join(', ')}`);
  return found;
}

/** One line per located difference: `kind key column,column`. */
export function located(result: TableResult): string[] {
  return result.differences.map((diff: RowDifference) => {
    const key = diff.key === null ? '-' : Object.values(diff.key).join('/');
    return `${diff.kind} ${key} ${diff.columns.map((c) => c.column).join(',')}`.trimEnd();
  });
}

/** A column as the catalog reader describes it: a base type of pg_catalog, nullable, no default. */
export function column(name: string, base: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    type: base,
    notNull: false,
    default: null,
    base,
    baseSchema: 'pg_catalog',
    typtype: 'b',
    element: null,
    collation: null,
    elementTyptype: null,
    elementSchema: null,
    ...extra,
  };
}

/** Table `public.t` keyed by its first column, for building chunk SQL without a cluster. */
export function tableInfo(columns: readonly ColumnInfo[]): TableInfo {
  return {
    schema: 'public',
    name: 't',
    columns: [...columns],
    key: [columns[0]!.name],
    keyKind: 'primary key',
    estimatedRows: 0,
    estimatedRowBytes: null,
  };
}
