// `pgferry catalog`: reads the source into a catalog snapshot (contracts/catalog.ts) as canonical JSON,
// directly or through the plan's agent. The file is written whole or not at all; a read that fails
// anywhere writes nothing, so a partial snapshot is never taken for a complete one.

import { parseArgs } from 'node:util';
import { catalogChanges } from '../../catalog/changes.js';
import { CatalogReadError } from '../../catalog/errors.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { CatalogFileError, readCatalogFile } from '../catalog-file.js';
import { SOURCE_FLAGS, SOURCE_USAGE, SourceOptionError, sourceOptionsFrom, takeSnapshot } from '../catalog-source.js';
import { type CliCommand, type CliIo, EXIT } from '../io.js';
import { writeFileAtomically } from '../write-file.js';
import { absolutePath, UsageError, withUsage } from './validate.js';

const USAGE = `usage: pgferry catalog [source options] [-o snapshot.json]

Reads the source PostgreSQL into a catalog snapshot: per database its size, schemas, tables (estimated
rows and bytes, keys, replica identity, partitioning, persistence, inheritance), columns with the types
DMS changes or drops, measured LOB sizes, sequences, extensions, triggers, event triggers and large
objects; for the host its version, plan-relevant settings, replication slots and WAL senders in use,
long-running transactions and (through the agent) the effective pg_hba rules. No row data, no secrets.
A read-only role suffices: GRANT pg_monitor and CONNECT on each database (docs/catalog.md).

${SOURCE_USAGE}
output:
  -o, --out FILE                          write the snapshot there (replaced atomically); default stdout
  --compare REVIEWED.json                 say what changed since that snapshot (tables added or dropped, keys
                                          dropped, columns, persistence); exit 1 when something did, or when
                                          it comes from another cluster

Then: pgferry init --catalog snapshot.json -o plans/mine.yaml; pgferry validate PLAN --catalog snapshot.json

Example:
  PGPASSWORD=… pgferry catalog --source postgres://pgferry_ro@10.0.0.5:5432/postgres -o catalog.json
  pgferry catalog --plan plans/shop.yaml -o catalog.json
`;

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

/** Turns the read's own failures into a one-line message and exit 1 (2 for bad options). */
export async function readSnapshotOrExplain(io: CliIo, name: string, read: () => Promise<number>): Promise<number> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SourceOptionError) throw new UsageError(error.message);
    if (error instanceof CatalogReadError) {
      io.stderr(`pgferry ${name}: ${error.message}\nnothing written\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

export const command: CliCommand = (args, io) =>
  withUsage(io, 'catalog', USAGE, args, async () => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        ...SOURCE_FLAGS,
        out: { type: 'string', short: 'o' },
        compare: { type: 'string' },
        debug: { type: 'boolean' },
      },
    });
    void positionals;
    return readSnapshotOrExplain(io, 'catalog', async () => {
      const options = sourceOptionsFrom(values);
      let reviewed: CatalogSnapshot | null = null;
      if (values.compare) {
        try {
          reviewed = await readCatalogFile(absolutePath(io, values.compare), values.compare);
        } catch (error) {
          if (error instanceof CatalogFileError) throw new UsageError(error.message);
          throw error;
        }
      }
      const taken = await takeSnapshot(io, options, options.plan ? absolutePath(io, options.plan) : undefined);
      const text = canonicalJson(taken.snapshot);
      if (values.out) await writeFileAtomically(absolutePath(io, values.out), text, { replace: true });
      else io.stdout(text);
      io.stderr(
        [
          `catalog of ${taken.from}${values.out ? ` → ${values.out}` : ''}${taken.queries === null ? '' : ` (${taken.queries.total - taken.queries.lobSampling} catalog queries + ${taken.queries.lobSampling} LOB sampling)`}`,
          ...describeSnapshot(taken.snapshot),
          '',
        ].join('\n'),
      );
      if (values.debug && taken.msByKind) {
        const kinds = Object.entries(taken.msByKind).sort((a, b) => b[1] - a[1]);
        io.stderr(`  time per kind of statement: ${kinds.map(([k, ms]) => `${k} ${Math.round(ms)} ms`).join(', ')}\n`);
      }
      if (!reviewed) return EXIT.ok;
      const compared = catalogChanges(reviewed, taken.snapshot);
      if (compared.otherCluster) {
        io.stderr(`${values.compare}: ${compared.otherCluster}\n`);
        return EXIT.failed;
      }
      io.stderr(
        compared.changes.length === 0
          ? `no change since ${values.compare}\n`
          : `${compared.changes.length} change(s) since ${values.compare}:\n${compared.changes.map((c) => `  ${c}\n`).join('')}`,
      );
      return compared.changes.length === 0 ? EXIT.ok : EXIT.failed;
    });
  });
