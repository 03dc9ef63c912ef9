// `pgferry catalog`: reads the source into a catalog snapshot (contracts/catalog.ts) as canonical JSON,
// directly or through the plan's agent. The file is written whole or not at all; a read that fails
// anywhere writes nothing, so a partial snapshot is never taken for a complete one.

import { catalogChanges } from '../../catalog/changes.js';
import { CatalogReadError } from '../../catalog/errors.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { SOURCE_FLAGS, SOURCE_USAGE, SourceOptionError, sourceOptionsFrom, takeSnapshot } from '../catalog-source.js';
import { CommandFailed, defineCommand, flag, UsageError } from '../command.js';
import { type CliIo, EXIT } from '../io.js';
import { absolutePath, readCatalogOption } from '../plan-input.js';
import { writeFileAtomically } from '../write-file.js';

export function describeSnapshot(snapshot: CatalogSnapshot): string[] {
  const lines: string[] = [];
  for (const db of snapshot.databases) {
    const tables = db.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned-table').length;
    lines.push(`  ${db.name}: ${tables} tables, ${db.sequences.length} sequences, ${db.sizeBytes} bytes`);
  }
  const { lobSampling: lob } = snapshot;
  if (lob.maxTables > 0) {
    lines.push(
      `  LOB sizes: at most ${lob.rowCap} rows per table (${lob.method}), the ${lob.maxTables} largest tables per database`,
    );
    if (lob.tablesOverBudget > 0)
      lines.push(`  LOB sizes not measured for ${lob.tablesOverBudget} smaller table(s) (over --lob-tables)`);
    if (lob.tablesWithoutSelect > 0) {
      lines.push(
        `  LOB sizes not measured for ${lob.tablesWithoutSelect} table(s) the role may not read: GRANT pg_read_all_data (14+) or SELECT on them`,
      );
    }
  } else lines.push('  LOB sizes: not measured (--no-lob)');
  return lines;
}

/** The read's own failures: a bad source option is a usage error, a failed read writes nothing. */
export async function readSnapshotOrExplain(read: () => Promise<number>): Promise<number> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SourceOptionError) throw new UsageError(error.message);
    if (error instanceof CatalogReadError) throw new CommandFailed(`${error.message}\nnothing written`);
    throw error;
  }
}

export const command = defineCommand({
  name: 'catalog',
  synopsis: '[source options] [-o snapshot.json] [--compare REVIEWED.json]',
  description: `Reads the source PostgreSQL into a catalog snapshot: per database its size, schemas, tables (estimated
rows and bytes, keys, replica identity, partitioning, persistence, inheritance), columns with the types
DMS changes or drops, measured LOB sizes, sequences, extensions, triggers, event triggers and large
objects; for the host its version, plan-relevant settings, replication slots and WAL senders in use,
long-running transactions and (through the agent) the effective pg_hba rules. No row data, no secrets.
A read-only role suffices: GRANT pg_monitor and CONNECT on each database (docs/catalog.md).
Exit 1 when the read fails (nothing is written) or --compare finds a change.

${SOURCE_USAGE}`,
  flags: {
    ...SOURCE_FLAGS,
    out: flag.string('FILE', 'write the snapshot there (replaced atomically); default stdout', { short: 'o' }),
    compare: flag.string(
      'REVIEWED.json',
      'say what changed since that snapshot (tables, keys, columns, persistence); exit 1 when something did, or when it comes from another cluster',
    ),
  },
  epilogue:
    'Then: pgferry init --catalog snapshot.json -o plans/mine.yaml; pgferry validate PLAN --catalog snapshot.json',
  examples: [
    'PGPASSWORD=… pgferry catalog --source postgres://pgferry_ro@10.0.0.5:5432/postgres -o catalog.json',
    'pgferry catalog --plan plans/shop.yaml -o catalog.json',
  ],
  run: async ({ flags, debug }, io) =>
    readSnapshotOrExplain(async () => {
      const options = sourceOptionsFrom(flags);
      const reviewed: CatalogSnapshot | null = await readCatalogOption(io, flags.compare);
      const taken = await takeSnapshot(io, options, options.plan ? absolutePath(io, options.plan) : undefined);
      const text = canonicalJson(taken.snapshot);
      if (flags.out) await writeFileAtomically(absolutePath(io, flags.out), text, { replace: true });
      else io.stdout(text);
      io.stderr(
        [
          `catalog of ${taken.from}${flags.out ? ` → ${flags.out}` : ''}${taken.queries === null ? '' : ` (${taken.queries.total - taken.queries.lobSampling} catalog queries + ${taken.queries.lobSampling} LOB sampling)`}`,
          ...describeSnapshot(taken.snapshot),
          '',
        ].join('\n'),
      );
      if (debug && taken.msByKind) {
        const kinds = Object.entries(taken.msByKind).sort((a, b) => b[1] - a[1]);
        io.stderr(`  time per kind of statement: ${kinds.map(([k, ms]) => `${k} ${Math.round(ms)} ms`).join(', ')}\n`);
      }
      if (!reviewed) return EXIT.ok;
      return compareWith(io, flags.compare!, reviewed, taken.snapshot);
    }),
});

function compareWith(io: CliIo, shown: string, reviewed: CatalogSnapshot, taken: CatalogSnapshot): number {
  const compared = catalogChanges(reviewed, taken);
  if (compared.otherCluster) {
    io.stderr(`${shown}: ${compared.otherCluster}\n`);
    return EXIT.failed;
  }
  io.stderr(
    compared.changes.length === 0
      ? `no change since ${shown}\n`
      : `${compared.changes.length} change(s) since ${shown}:\n${compared.changes.map((c) => `  ${c}\n`).join('')}`,
  );
  return compared.changes.length === 0 ? EXIT.ok : EXIT.failed;
}
