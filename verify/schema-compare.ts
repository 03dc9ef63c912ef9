// Schema and sequences, from both catalogs: columns (type, nullability, default, collation), keys and
// other constraints, indexes, triggers, and sequences (the target's at or past the source's). Objects
// the target lacks name what should have created them: the plan's post_load_sql, or the cutover's
// sequence sync. Only what the source has and the target lacks or has differently is reported.

import { quoteIdent } from '../contracts/sql-quote.js';
import type { SchemaDifference } from './report-types.js';
import type { Side } from './side.js';
import { displayName, qualified, type TableInfo } from './tables.js';

interface CatalogObject {
  readonly family: 'constraint' | 'index' | 'trigger';
  readonly name: string;
  readonly type: string;
  /** Definition with the object's own name taken out, so a renamed twin still matches. */
  readonly definition: string;
  readonly shown: string;
}

// Constraints except NOT NULL ones (PostgreSQL 18 lists them; nullability is compared per column),
// indexes, and user triggers.
export const OBJECTS_SQL = `
SELECT 'constraint', conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = $1::regclass AND contype::text <> 'n'
UNION ALL
SELECT 'index', ic.relname, '', pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = $1::regclass
UNION ALL
SELECT 'trigger', tgname, '', pg_get_triggerdef(t.oid) FROM pg_trigger t
 WHERE tgrelid = $1::regclass AND NOT tgisinternal`;

const CONSTRAINT_TYPES: Readonly<Record<string, string>> = {
  p: 'primary key',
  u: 'unique constraint',
  f: 'foreign key',
  c: 'check constraint',
  x: 'exclusion constraint',
  t: 'constraint trigger',
};

function normalise(family: CatalogObject['family'], name: string, definition: string): string {
  if (family === 'index') return definition.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?/, 'CREATE $1INDEX ON ');
  if (family === 'trigger') return definition.replace(/^CREATE (CONSTRAINT )?TRIGGER \S+ /, 'CREATE $1TRIGGER ');
  void name;
  return definition;
}

async function objects(side: Side, table: TableInfo): Promise<CatalogObject[]> {
  const rows = await side.rows(OBJECTS_SQL, [qualified(table)], displayName(table));
  return rows.map((row) => {
    const family = row[0] as CatalogObject['family'];
    return {
      family,
      name: row[1]!,
      type: family === 'constraint' ? (CONSTRAINT_TYPES[row[2]!] ?? 'constraint') : family,
      definition: normalise(family, row[1]!, row[3]!),
      shown: row[3]!,
    };
  });
}

export interface SchemaContext {
  readonly source: Side;
  readonly target: Side;
  /** The plan's target.schema_objects.post_load_sql files, to name in hints. */
  readonly postLoadSql: readonly string[];
}

function createdBy(ctx: SchemaContext): string {
  return ctx.postLoadSql.length > 0
    ? `the plan's post_load_sql (${ctx.postLoadSql.join(', ')}) should have created it`
    : 'nothing in the plan creates it: add it to target.schema_objects.post_load_sql';
}

export function compareColumns(source: TableInfo, target: TableInfo): SchemaDifference[] {
  const table = displayName(source);
  const out: SchemaDifference[] = [];
  const theirs = new Map(target.columns.map((column) => [column.name, column]));
  const mine = new Set(source.columns.map((column) => column.name));
  for (const column of source.columns) {
    const other = theirs.get(column.name);
    const base = { table, object: column.name };
    if (!other) {
      out.push({
        ...base,
        kind: 'column-missing',
        source: column.type,
        target: null,
        hint: 'the column is not on the target: its values were not migrated',
      });
      continue;
    }
    if (other.type !== column.type)
      out.push({ ...base, kind: 'column-type', source: column.type, target: other.type, hint: null });
    if (other.notNull !== column.notNull) {
      const text = (notNull: boolean) => (notNull ? 'NOT NULL' : 'NULL');
      out.push({
        ...base,
        kind: 'column-nullability',
        source: text(column.notNull),
        target: text(other.notNull),
        hint: null,
      });
    }
    if ((other.default ?? '') !== (column.default ?? ''))
      out.push({ ...base, kind: 'column-default', source: column.default, target: other.default, hint: null });
    if ((other.collation ?? '') !== (column.collation ?? ''))
      out.push({
        ...base,
        kind: 'column-collation',
        source: column.collation,
        target: other.collation,
        hint: 'key order and text comparisons follow the collation',
      });
  }
  for (const column of target.columns) {
    if (!mine.has(column.name))
      out.push({ table, object: column.name, kind: 'column-extra', source: null, target: column.type, hint: null });
  }
  return out;
}

export async function compareObjects(
  ctx: SchemaContext,
  source: TableInfo,
  target: TableInfo,
): Promise<SchemaDifference[]> {
  const table = displayName(source);
  const [mine, theirs] = await Promise.all([objects(ctx.source, source), objects(ctx.target, target)]);
  const out: SchemaDifference[] = [];
  for (const object of mine) {
    const twin = theirs.find((other) => other.family === object.family && other.definition === object.definition);
    if (twin) continue;
    const named = theirs.find((other) => other.family === object.family && other.name === object.name);
    if (named) {
      out.push({
        kind: 'constraint-different',
        table,
        object: object.name,
        source: object.shown,
        target: named.shown,
        hint: null,
      });
      continue;
    }
    const kind =
      object.family === 'index'
        ? 'index-missing'
        : object.family === 'trigger'
          ? 'trigger-missing'
          : 'constraint-missing';
    out.push({
      kind,
      table,
      object: `${object.type} ${object.name}`,
      source: object.shown,
      target: null,
      hint: createdBy(ctx),
    });
  }
  return out;
}

export const SEQUENCES_SQL = `
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname = ANY ($1::text[])
ORDER BY n.nspname::text COLLATE "C", c.relname::text COLLATE "C"`;

async function sequenceValue(side: Side, name: string): Promise<{ value: bigint; called: boolean } | null> {
  const exists = await side.rows('SELECT (to_regclass($1) IS NOT NULL)::text', [name]);
  if (exists[0]?.[0] !== 'true') return null;
  const row = (await side.rows(`SELECT last_value::text, is_called::text FROM ${name}`, [], name))[0]!;
  return { value: BigInt(row[0]!), called: row[1] === 'true' };
}

/** Sequences in the compared schemas: present on the target, and at or past the source's value. */
export async function compareSequences(ctx: SchemaContext, schemas: readonly string[]): Promise<SchemaDifference[]> {
  if (schemas.length === 0) return [];
  const literal = `{${schemas.map((schema) => `"${schema.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  const out: SchemaDifference[] = [];
  for (const row of await ctx.source.rows(SEQUENCES_SQL, [literal])) {
    const name = `${quoteIdent(row[0]!)}.${quoteIdent(row[1]!)}`;
    const shown = `${row[0]}.${row[1]}`;
    const [mine, theirs] = await Promise.all([sequenceValue(ctx.source, name), sequenceValue(ctx.target, name)]);
    if (mine === null) continue;
    const text = (seq: { value: bigint; called: boolean }) => `${seq.value}${seq.called ? '' : ' (not yet called)'}`;
    if (theirs === null) {
      out.push({
        kind: 'sequence-missing',
        table: null,
        object: shown,
        source: text(mine),
        target: null,
        hint: createdBy(ctx),
      });
      continue;
    }
    const behind = theirs.value < mine.value || (theirs.value === mine.value && mine.called && !theirs.called);
    if (behind) {
      out.push({
        kind: 'sequence-behind',
        table: null,
        object: shown,
        source: text(mine),
        target: text(theirs),
        hint: 'the cutover sets sequences past the source (cutover.sequences); run it, or setval on the target',
      });
    }
  }
  return out;
}
