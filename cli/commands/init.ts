// `pgferry init`: writes a commented starter plan (init/starter-plan.ts) from a catalog snapshot file
// or a live read of the source. It refuses to replace an existing plan unless --force, and writes the
// file whole or not at all.

import { parseArgs } from 'node:util';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { renderStarterPlan } from '../../init/starter-plan.js';
import { CatalogFileError, readCatalogFile } from '../catalog-file.js';
import { SOURCE_FLAGS, SOURCE_USAGE, sourceOptionsFrom, takeSnapshot } from '../catalog-source.js';
import { type CliCommand, EXIT } from '../io.js';
import { FileExistsError, writeFileAtomically } from '../write-file.js';
import { readSnapshotOrExplain } from './catalog.js';
import { absolutePath, UsageError, withUsage } from './validate.js';

const USAGE = `usage: pgferry init (--catalog snapshot.json | source options) [--cdc] [--name NAME] [-o plan.yaml] [--force]

Writes a commented starter plan that compiles with zero errors against the catalog: every database,
tasks split by table size, LOB modes from the measured LOB sizes, what DMS cannot move excluded with
the reason beside it, the replication slots and WAL senders already in use declared, secrets as
references to fill in. A header summarises what was found and every decision. No waivers: warnings
are left for \`pgferry validate --catalog\`.

options:
  --catalog FILE      a snapshot from \`pgferry catalog\` (else read the source with the options below)
  --cdc               full load and CDC (default: full load only)
  --name NAME         plan name (lower-case letters, digits, hyphens; default: migration)
  -o, --out FILE      write the plan there; an existing file is kept unless --force (default: stdout)
  --force             replace an existing plan

${SOURCE_USAGE}

Example:
  pgferry init --catalog catalog.json --cdc --name shop -o plans/shop.yaml
`;

export const command: CliCommand = (args, io) =>
  withUsage(io, 'init', USAGE, args, async () => {
    const { values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        ...SOURCE_FLAGS,
        catalog: { type: 'string' },
        cdc: { type: 'boolean' },
        name: { type: 'string' },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        debug: { type: 'boolean' },
      },
    });
    const name = values.name ?? 'migration';
    if (!/^[a-z][a-z0-9-]*$/.test(name) || name.length > 40) {
      throw new UsageError(
        `--name '${name}': lower-case letters, digits and hyphens, starting with a letter, at most 40`,
      );
    }
    if (values.catalog && (values.source || values.plan)) throw new UsageError('give --catalog or a source, not both');
    return readSnapshotOrExplain(io, 'init', async () => {
      let snapshot: CatalogSnapshot;
      let sourceHost: string | null = null;
      let sourcePort: number | null = null;
      if (values.catalog) {
        try {
          snapshot = await readCatalogFile(absolutePath(io, values.catalog), values.catalog);
        } catch (error) {
          if (error instanceof CatalogFileError) throw new UsageError(error.message);
          throw error;
        }
      } else {
        const options = sourceOptionsFrom(values);
        snapshot = (await takeSnapshot(io, options, options.plan ? absolutePath(io, options.plan) : undefined))
          .snapshot;
        if (options.source) {
          const url = new URL(options.source);
          sourceHost = decodeURIComponent(url.hostname) || null;
          sourcePort = url.port === '' ? null : Number(url.port);
        }
      }
      const text = renderStarterPlan(snapshot, { cdc: values.cdc === true, name, sourceHost, sourcePort });
      if (!values.out) {
        io.stdout(text);
        return EXIT.ok;
      }
      try {
        await writeFileAtomically(absolutePath(io, values.out), text, { replace: values.force === true });
      } catch (error) {
        if (error instanceof FileExistsError) {
          throw new UsageError(`${values.out} already exists; pass --force to replace it`);
        }
        throw error;
      }
      io.stderr(
        `wrote ${values.out}: fill in the TODOs, then pgferry validate ${values.out}${values.catalog ? ` --catalog ${values.catalog}` : ''}\n`,
      );
      return EXIT.ok;
    });
  });
