// Which tables of a database a starter plan moves, and why each other one is left out: the shapes the
// catalog rules (PGF5xxx) reject as errors are excluded with the reason, so the starter plan compiles
// clean; what only needs a human decision (warnings) stays selected and is reported by `validate`.

import { LOB_KEY_TYPES } from '../compiler/rules/catalog-keys.js';
import type { CatalogDatabase, CatalogTable } from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';

export interface Exclusion {
  readonly table: CatalogTable;
  /** One line for the plan comment: what is wrong and what to do. */
  readonly reason: string;
}

export interface DatabaseSelection {
  readonly selected: readonly CatalogTable[];
  readonly excluded: readonly Exclusion[];
}

export const qualified = (table: { schema: string; name: string }) => `${table.schema}.${table.name}`;

/** DMS's own leftovers on the source (DDL capture, heartbeat): never data to move. */
const DMS_ARTIFACT = /^awsdms_/;

function exclusionReason(table: CatalogTable, cdc: boolean, childrenOf: Map<string, number>): string | null {
  if (DMS_ARTIFACT.test(table.name)) return 'a DMS artifact (DDL capture or heartbeat), not application data';
  if (table.kind === 'partitioned-table') {
    return 'partitioned parent: its partitions are selected instead (DMS would load their rows twice); pre-create the partitioned table on the target';
  }
  if ((childrenOf.get(qualified(table)) ?? 0) > 0) {
    return "inheritance parent: selected with its children DMS loads the children's rows twice; copy its own rows separately (INSERT … SELECT FROM ONLY)";
  }
  const hasPk = table.primaryKey.length > 0;
  const lobKey = table.columns.find((c) => table.primaryKey.includes(c.name) && LOB_KEY_TYPES.test(c.type));
  if (lobKey) return `primary key column ${lobKey.name} is ${lobKey.type}, a LOB type DMS cannot key on (PGF5012)`;
  const array = table.columns.find((c) => c.type.endsWith('[]'));
  if (!hasPk && array)
    return `array column ${array.name} and no primary key: DMS suspends the table during full load (PGF5013)`;
  if (cdc && table.persistence === 'unlogged') {
    return 'unlogged: CDC never sees its changes (PGF5032); ALTER TABLE … SET LOGGED, or copy it at cutover';
  }
  if (cdc && !hasPk && table.replicaIdentity !== 'full') {
    return 'no primary key: CDC would lose its UPDATEs and DELETEs (PGF5010); add a key or REPLICA IDENTITY FULL';
  }
  return null;
}

export function selectTables(database: CatalogDatabase, cdc: boolean): DatabaseSelection {
  const candidates = database.tables
    .filter((t) => (t.kind === 'table' || t.kind === 'partitioned-table') && t.persistence !== 'temporary')
    .sort((a, b) => compareText(qualified(a), qualified(b)));
  const childrenOf = new Map<string, number>();
  for (const table of candidates) {
    if (table.isPartition) continue;
    for (const parent of table.parents) childrenOf.set(parent, (childrenOf.get(parent) ?? 0) + 1);
  }
  const excluded: Exclusion[] = [];
  const movable: CatalogTable[] = [];
  for (const table of candidates) {
    const reason = exclusionReason(table, cdc, childrenOf);
    if (reason) excluded.push({ table, reason });
    else movable.push(table);
  }
  // Of movable names that differ only by case, keep the all-lower-case one (what SQL without quotes reaches).
  const keeper = new Map<string, CatalogTable>();
  for (const table of movable) {
    const folded = qualified(table).toLowerCase();
    const current = keeper.get(folded);
    if (!current || (qualified(table) === folded && qualified(current) !== folded)) keeper.set(folded, table);
  }
  const selected: CatalogTable[] = [];
  for (const table of movable) {
    const kept = keeper.get(qualified(table).toLowerCase())!;
    if (kept === table) selected.push(table);
    else {
      excluded.push({
        table,
        reason: `differs from "${qualified(kept)}" only by letter case, which DMS mishandles (PGF5031); rename one, or copy it separately`,
      });
    }
  }
  excluded.sort((a, b) => compareText(qualified(a.table), qualified(b.table)));
  return { selected, excluded };
}
