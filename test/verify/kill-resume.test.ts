// A real `pgferry verify` process (bin/pgferry.js over dist/) killed with SIGKILL after some chunks are
// checkpointed resumes from the checkpoint: the next run takes the finished chunks from the file without
// reading them again, compares the rest, and reports what an uninterrupted run reports. The kill point is
// deterministic: PGFERRY_VERIFY_HOLD_AFTER_CHUNKS freezes the process once that many chunks are saved.
// One cluster holds both sides (database app and its copy app_copy), which the plan maps onto each other.

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableResult, VerifyReport } from '../../verify/report-types.js';
import { ensureBuilt, startExecutor, until } from '../executor/support/executor-process.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { located } from './support.js';

const ENV = {
  PGFERRY_AGENT_TOKEN: 'tok-kill-resume-1234',
  PGFERRY_SOURCE_PASSWORD: 'unused-trust-auth',
  PGFERRY_TARGET_PASSWORD: 'unused-trust-auth',
};

function planYaml(cluster: PgCluster): string {
  return `version: 1
name: killresume
engine: logical
source:
  host: 127.0.0.1
  port: ${cluster.port}
  version: "${cluster.major}.0"
  databases: [app]
  migration_user:
    name: postgres
    password: { env: PGFERRY_SOURCE_PASSWORD }
    superuser: true
  auth_method: scram-sha-256
  protected_logins:
    - { type: local, database: all, user: postgres }
  agent:
    url: http://127.0.0.1:9
    token: { env: PGFERRY_AGENT_TOKEN }
target:
  { kind: self-managed, host: 127.0.0.1, port: ${cluster.port}, version: "${cluster.major}.0", databases: { app: app_copy },
    admin_user: { name: postgres, password: { env: PGFERRY_TARGET_PASSWORD } }, ssl_mode: none, fk_strategy: alter_system }
dms:
  region: eu-west-1
  replication_instance:
    { identifier: killresume-ri, class: dms.c5.large, allocated_storage: 20, engine_version: "3.5.4", source_cidrs: [127.0.0.1/32] }
  tasks:
    - id: killresume-app
      database: app
      migration_type: full-load
      tables:
        include: ["public.%"]
`;
}

const SCHEMA = `
CREATE TABLE readings (id int PRIMARY KEY, sensor text, value numeric, at timestamptz);
INSERT INTO readings SELECT g, 's' || (g % 13), g * 0.25, timestamptz '2025-01-01 00:00+00' + g * interval '1 minute'
  FROM generate_series(1, 2000) g;
`;

/** What a report says about a table, without timings and resume counts. */
function outcome(table: TableResult) {
  return [table.table, table.sourceRows, table.targetRows, table.chunks, table.mismatches, located(table)];
}

describe('verify: SIGKILL mid-run, then resume (real process)', () => {
  let cluster: PgCluster;
  let dir: string;
  let planFile: string;
  const state = () => join(dir, 'state');
  const checkpointFile = () => join(state(), 'killresume', 'verify-app.json');
  const flags = (extra: readonly string[] = []) => [
    '--state-dir',
    state(),
    '--no-schema',
    '--jobs',
    '1',
    '--chunk-rows',
    '100',
    '--format',
    'json',
    ...extra,
  ];

  async function verifyToEnd(extra: readonly string[] = []): Promise<VerifyReport> {
    const run = startExecutor('verify', planFile, flags(extra), ENV);
    const code = await run.exited;
    expect(code, run.stderr()).toBe(1); // the injected difference makes the run fail
    return JSON.parse(run.stdout()) as VerifyReport;
  }

  beforeAll(async () => {
    [cluster] = await Promise.all([startCluster({ major: 16 }), ensureBuilt()]);
    await cluster.query('CREATE DATABASE app');
    await cluster.query('CREATE DATABASE app_copy');
    await cluster.query(SCHEMA, [], 'app');
    await cluster.query(SCHEMA, [], 'app_copy');
    // A difference in the last chunk, which the killed run has not reached.
    await cluster.query("UPDATE readings SET sensor = 'moved' WHERE id = 1990", [], 'app_copy');
    dir = await mkdtemp(join(tmpdir(), 'pgferry-kill-resume-'));
    planFile = join(dir, 'killresume.yaml');
    await writeFile(planFile, planYaml(cluster));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes the checkpointed chunks from the file, compares only the rest, and reports the same', async () => {
    const held = startExecutor('verify', planFile, flags(), { ...ENV, PGFERRY_VERIFY_HOLD_AFTER_CHUNKS: '4' });
    await until('the verifier holds after 4 checkpointed chunks', () => /holding after 4/.test(held.stderr()), held);
    await held.kill9();
    expect(held.stdout()).toBe('');
    const saved = JSON.parse(await readFile(checkpointFile(), 'utf8')) as {
      tables: Record<string, { chunks: { lo: string[] | null; hi: string[] | null }[] }>;
    };
    const chunks = saved.tables['public.readings']!.chunks;
    expect(chunks).toHaveLength(4);

    // Change the target inside every checkpointed chunk: a run that read them again would see it.
    for (const chunk of chunks) {
      const id = Number(chunk.hi![0]);
      await cluster.query("UPDATE readings SET sensor = 'after the kill' WHERE id = $1", [id], 'app_copy');
    }
    const resumed = await verifyToEnd();
    const db = resumed.databases[0]!;
    expect(db.resumedChunks).toBe(4);
    const readings = db.tables.find((t) => t.table === 'public.readings')!;
    expect(outcome(readings)).toEqual(['public.readings', 2000, 2000, 21, 1, ['different 1990 sensor']]);
    // A completed run leaves nothing to resume.
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/);

    // The same comparison from scratch reads every chunk: it finds the changes made after the kill too,
    // and once they are undone its report is the resumed run's.
    const fresh = (await verifyToEnd(['--fresh'])).databases[0]!;
    expect(fresh.resumedChunks).toBe(0);
    expect(fresh.tables[0]!.mismatches).toBe(5);
    for (const chunk of chunks) {
      const id = Number(chunk.hi![0]);
      await cluster.query("UPDATE readings SET sensor = 's' || (id % 13) WHERE id = $1", [id], 'app_copy');
    }
    const again = (await verifyToEnd(['--fresh'])).databases[0]!;
    expect(outcome(again.tables[0]!)).toEqual(outcome(readings));
  });
});
