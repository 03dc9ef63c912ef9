// `pgferry init`: writes a commented starter plan (init/starter-plan.ts) from a catalog snapshot file
// or a live read of the source. It refuses to replace an existing plan unless --force, and writes the
// file whole or not at all.

import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { renderStarterPlan } from '../../init/starter-plan.js';
import { SOURCE_FLAGS, SOURCE_USAGE, sourceOptionsFrom, takeSnapshot } from '../catalog-source.js';
import { defineCommand, flag, InputError, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { absolutePath, readCatalogOption } from '../plan-input.js';
import { FileExistsError, writeFileAtomically } from '../write-file.js';
import { readSnapshotOrExplain } from './catalog.js';

export const command = defineCommand({
  name: 'init',
  synopsis: '(--catalog snapshot.json | source options) [--cdc] [--name NAME] [-o plan.yaml] [--force]',
  description: `Writes a commented starter plan that compiles with zero errors against the catalog: every database,
tasks split by table size, LOB modes from the measured LOB sizes, what DMS cannot move excluded with
the reason beside it, the replication slots and WAL senders already in use declared, secrets as
references to fill in. A header summarises what was found and every decision. No waivers: warnings
are left for \`pgferry validate --catalog\`. Without --catalog it reads the source first.

${SOURCE_USAGE}`,
  flags: {
    catalog: flag.string('FILE', 'a snapshot from `pgferry catalog` (else read the source)'),
    cdc: flag.boolean('full load and CDC (default: full load only)'),
    name: flag.string('NAME', 'plan name (lower-case letters, digits, hyphens; default: migration)'),
    out: flag.string('FILE', 'write the plan there; an existing file is kept unless --force (default: stdout)', {
      short: 'o',
    }),
    force: flag.boolean('replace an existing plan'),
    ...SOURCE_FLAGS,
  },
  examples: ['pgferry init --catalog catalog.json --cdc --name shop -o plans/shop.yaml'],
  run: async ({ flags }, io) => {
    const name = flags.name ?? 'migration';
    if (!/^[a-z][a-z0-9-]*$/.test(name) || name.length > 40) {
      throw new UsageError(
        `--name '${name}': lower-case letters, digits and hyphens, starting with a letter, at most 40`,
      );
    }
    if (flags.catalog && (flags.source || flags.plan)) throw new UsageError('give --catalog or a source, not both');
    return readSnapshotOrExplain(async () => {
      let snapshot: CatalogSnapshot;
      let sourceHost: string | null = null;
      let sourcePort: number | null = null;
      const fromFile = await readCatalogOption(io, flags.catalog);
      if (fromFile) snapshot = fromFile;
      else {
        const options = sourceOptionsFrom(flags);
        snapshot = (await takeSnapshot(io, options, options.plan ? absolutePath(io, options.plan) : undefined))
          .snapshot;
        if (options.source) {
          const url = new URL(options.source);
          sourceHost = decodeURIComponent(url.hostname) || null;
          sourcePort = url.port === '' ? null : Number(url.port);
        }
      }
      const text = renderStarterPlan(snapshot, { cdc: flags.cdc === true, name, sourceHost, sourcePort });
      if (!flags.out) {
        io.stdout(text);
        return EXIT.ok;
      }
      try {
        await writeFileAtomically(absolutePath(io, flags.out), text, { replace: flags.force === true });
      } catch (error) {
        if (error instanceof FileExistsError) {
          throw new InputError(`${flags.out} already exists; pass --force to replace it`);
        }
        throw error;
      }
      io.stderr(
        `wrote ${flags.out}: fill in the TODOs, then pgferry validate ${flags.out}${flags.catalog ? ` --catalog ${flags.catalog}` : ''}\n`,
      );
      return EXIT.ok;
    });
  },
});
