// What changed on the source between the snapshot a plan was reviewed against and a fresh one: tables
// added or dropped, keys dropped or changed, columns changed, persistence and replica identity. A
// snapshot of another cluster is not a set of changes but a mistake, reported as such.

import type { CatalogDatabase, CatalogSnapshot, CatalogTable } from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';

export interface CatalogChanges {
  /** Set when the two snapshots come from different clusters: nothing else is compared. */
  readonly otherCluster: string | null;
  readonly changes: readonly string[];
}

const movable = (t: CatalogTable) => t.kind === 'table' || t.kind === 'partitioned-table';
const keyText = (columns: readonly string[]) => (columns.length === 0 ? 'none' : `(${columns.join(', ')})`);

function tableChanges(db: string, name: string, before: CatalogTable, after: CatalogTable): string[] {
  const out: string[] = [];
  const at = `${db}: ${name}`;
  if (keyText(before.primaryKey) !== keyText(after.primaryKey)) {
    out.push(
      after.primaryKey.length === 0
        ? `${at}: primary key ${keyText(before.primaryKey)} dropped`
        : `${at}: primary key ${keyText(before.primaryKey)} → ${keyText(after.primaryKey)}`,
    );
  }
  if (before.persistence !== after.persistence) out.push(`${at}: ${before.persistence} → ${after.persistence}`);
  if (before.replicaIdentity !== after.replicaIdentity) {
    out.push(`${at}: replica identity ${before.replicaIdentity} → ${after.replicaIdentity}`);
  }
  const beforeColumns = new Map(before.columns.map((c) => [c.name, c]));
  const afterColumns = new Map(after.columns.map((c) => [c.name, c]));
  for (const [column, c] of afterColumns) {
    const old = beforeColumns.get(column);
    if (!old) out.push(`${at}: column ${column} ${c.type} added`);
    else if (old.type !== c.type) out.push(`${at}: column ${column} ${old.type} → ${c.type}`);
  }
  for (const column of beforeColumns.keys()) if (!afterColumns.has(column)) out.push(`${at}: column ${column} dropped`);
  return out;
}

function databaseChanges(before: CatalogDatabase, after: CatalogDatabase): string[] {
  const key = (t: CatalogTable) => `${t.schema}.${t.name}`;
  const old = new Map(before.tables.filter(movable).map((t) => [key(t), t]));
  const now = new Map(after.tables.filter(movable).map((t) => [key(t), t]));
  const out: string[] = [];
  for (const [name, table] of now) {
    const previous = old.get(name);
    if (!previous) out.push(`${after.name}: table ${name} added`);
    else out.push(...tableChanges(after.name, name, previous, table));
  }
  for (const name of old.keys()) if (!now.has(name)) out.push(`${after.name}: table ${name} dropped`);
  return out;
}

export function catalogChanges(reviewed: CatalogSnapshot, fresh: CatalogSnapshot): CatalogChanges {
  const a = reviewed.cluster.systemIdentifier;
  const b = fresh.cluster.systemIdentifier;
  if (a !== null && b !== null && a !== b) {
    return {
      otherCluster: `the snapshots come from different clusters (system identifier ${a} reviewed, ${b} now)`,
      changes: [],
    };
  }
  const changes: string[] = [];
  if (reviewed.serverVersionNum !== fresh.serverVersionNum) {
    changes.push(`server_version_num ${reviewed.serverVersionNum} → ${fresh.serverVersionNum}`);
  }
  const old = new Map(reviewed.databases.map((d) => [d.name, d]));
  for (const db of fresh.databases) {
    const previous = old.get(db.name);
    if (!previous) changes.push(`database ${db.name} added`);
    else changes.push(...databaseChanges(previous, db));
  }
  const now = new Set(fresh.databases.map((d) => d.name));
  for (const name of old.keys()) if (!now.has(name)) changes.push(`database ${name} not in the fresh snapshot`);
  return { otherCluster: null, changes: changes.sort(compareText) };
}
