// Shared pieces of the agent tests: an agent in-process against a real cluster, tokens, and a bundle
// fixture that follows contracts/bundle.ts (hash computed the way the compiler computes it).

import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, createAgent } from '../../agent/agent.js';
import { parseConfig } from '../../agent/config/load-config.js';
import type { AgentConfig } from '../../agent/config/types.js';
import type { BuildOptions } from '../../agent/server.js';
import type { SourceBundle } from '../../contracts/bundle.js';
import { hashJson } from '../../contracts/canonical-json.js';
import type { PgCluster } from '../support/pg-cluster.js';

export const TOKENS = {
  admin: 'admin-token-0123456789abcdef',
  reader: 'reader-token-0123456789abcdef',
  planner: 'planner-token-0123456789abcdef',
} as const;

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
export const admin = auth(TOKENS.admin);

export interface TestAgent extends Agent {
  readonly stateDir: string;
  readonly config: AgentConfig;
}

export interface StartAgentOptions {
  /** YAML appended to the generated config (keys must not repeat the generated ones). */
  readonly extraYaml?: string;
  /** Reuse a state dir (to test start-up recovery); it is then not removed on close. */
  readonly stateDir?: string;
  readonly restart?: boolean;
  /** How long a slot list is served from cache; 0 (the default here) queries on every request. */
  readonly slotsCacheMs?: number;
  /** Logger and log controller of the fastify app (tests that read the agent's log). */
  readonly build?: BuildOptions;
}

/** The agent's restart command for a test cluster: pg_ctl restart as the cluster's OS user. */
export function restartArgv(cluster: PgCluster): string[] {
  return cluster.asOsUser(cluster.pgCtl, [
    'restart',
    '-D',
    cluster.dataDir,
    '-w',
    '-t',
    '30',
    '-m',
    'fast',
    '-l',
    cluster.logFile,
  ]);
}

export async function startAgent(cluster: PgCluster, options: StartAgentOptions = {}): Promise<TestAgent> {
  const ownsState = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'pgferry-agent-state-')));
  const extraYaml = options.extraYaml ?? '';
  const restart = restartArgv(cluster);
  const yaml = `
tokens:
  - { id: admin, scopes: [read, metrics, plan, apply, restart, rollback, "slot:drop"], secret: { env: T_ADMIN } }
  - { id: reader, scopes: [read, metrics], secret: { env: T_READER } }
  - { id: planner, scopes: [read, plan], secret: { env: T_PLANNER } }
postgres: { host: ${cluster.socketDir}, port: ${cluster.port}, user: postgres, database: postgres, connectTimeoutMs: 2000 }
paths: { serverLog: ${cluster.logFile} }
${options.restart === false ? '' : `restart: { command: ${JSON.stringify(restart)}, timeoutSeconds: 30 }`}
stateDir: ${stateDir}
cache: { slotsMs: ${options.slotsCacheMs ?? 0} }
${extraYaml}`;
  const config = parseConfig(yaml, 'test-agent.yaml');
  const agent = await createAgent(
    config,
    {
      env: { T_ADMIN: TOKENS.admin, T_READER: TOKENS.reader, T_PLANNER: TOKENS.planner, DMS_PASSWORD: 'dms-secret-pw' },
    },
    options.build,
  );
  return {
    ...agent,
    stateDir,
    config,
    async close() {
      await agent.close();
      if (ownsState) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function makeBundle(
  major: number,
  versionNum: number,
  patch: Partial<Omit<SourceBundle, 'hash'>> = {},
): SourceBundle {
  const body: Omit<SourceBundle, 'hash'> = {
    schemaVersion: 1,
    bundleId: 'orders',
    target: { pgMajor: major, serverVersionNum: versionNum, systemIdentifier: null },
    settings: { wal_level: 'logical', max_replication_slots: 10, max_wal_senders: 10, wal_sender_timeout: 0 },
    restartSettings: ['max_replication_slots', 'max_wal_senders', 'wal_level'],
    settingsMethod: 'alter_system',
    hba: {
      mode: 'managed_block',
      block: 'dms',
      anchor: 'first_non_local_rule',
      rules: [
        {
          type: 'host',
          database: ['appdb'],
          user: ['dms_user'],
          address: '127.0.0.1/32',
          method: major >= 10 ? 'scram-sha-256' : 'md5',
          comment: 'DMS replication instance',
        },
      ],
      protect: [{ type: 'local', database: 'postgres', user: 'postgres', address: null }],
    },
    roles: [],
    slots: [{ name: 'dms_orders', plugin: 'test_decoding', database: 'appdb', task: 'orders-cdc' }],
    fence: { method: 'hba_reject', roles: ['orders_app'], databases: ['appdb'] },
    restartPolicy: 'require_consent',
    patroni: null,
    ...patch,
  };
  return { ...body, hash: hashJson(body) };
}

/** The bundle with a field changed and the hash recomputed. */
export function rehash(bundle: SourceBundle, patch: Partial<Omit<SourceBundle, 'hash'>>): SourceBundle {
  const { hash: _hash, ...rest } = bundle;
  const body = { ...rest, ...patch };
  return { ...body, hash: hashJson(body) };
}

export async function snapshotFiles(cluster: PgCluster): Promise<{ hba: string; auto: string }> {
  return {
    hba: await readFile(cluster.hbaFile, 'utf8'),
    auto: await readFile(join(cluster.dataDir, 'postgresql.auto.conf'), 'utf8'),
  };
}

/** Puts the cluster back to its pristine config between tests (the cluster is shared per file). */
export async function resetCluster(cluster: PgCluster, pristineHba: string): Promise<void> {
  await writeFile(cluster.hbaFile, pristineHba);
  await cluster.query('ALTER SYSTEM RESET ALL');
  await cluster.reload();
}

export function pgRecvlogical(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin', 'pg_recvlogical');
    if (existsSync(bin)) return bin;
  }
  return null;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  tries = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
