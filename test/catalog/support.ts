// Running the catalog and init commands in-process, normalising the volatile parts of a snapshot for
// golden files, and comparing with (or rewriting, under PGFERRY_UPDATE_GOLDEN=1) a golden file.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CliCommand } from '../../cli/io.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { type CliRun, runCommand } from '../diff/support/cli.js';

export type Ran = CliRun;

export function run(
  command: CliCommand,
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): Promise<Ran> {
  return runCommand(command, args, cwd, env);
}

/**
 * Sizes, identifiers, times and exact versions change from run to run or with the test binaries; names,
 * types, keys, counts and measured LOB sizes do not.
 */
export function normaliseSnapshot(snapshot: CatalogSnapshot): CatalogSnapshot {
  const major = Math.floor(snapshot.serverVersionNum / 10000);
  return {
    ...snapshot,
    capturedAt: '2026-01-01T00:00:00.000Z',
    serverVersionNum: major * 10000,
    cluster: { ...snapshot.cluster, systemIdentifier: 'SYSTEM-ID', serverVersion: `${major}.0` },
    host: {
      ...snapshot.host,
      longTransactions: [],
      hba: null,
      settings: snapshot.host.settings.filter((s) => s.name !== 'listen_addresses'),
    },
    databases: snapshot.databases.map((db) => ({
      ...db,
      sizeBytes: 0,
      tables: db.tables.map((t) => ({ ...t, sizeBytes: 0 })),
    })),
  };
}

const golden = (name: string) => fileURLToPath(new URL(`../fixtures/catalog/${name}`, import.meta.url));

export function expectGolden(name: string, actual: string): void {
  const path = golden(name);
  if (process.env.PGFERRY_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`no golden file ${name}: run npm run test:update-golden and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
