// plans/shop-cdc.yaml keeps every secret in Secrets Manager. `pgferry apply --dry-run` resolves them:
// the agent token reaches the agent, the RDS-format JSON secret's password logs in to a real target
// with SCRAM, and no value shows in what pgferry printed or wrote. DMS and Secrets Manager are fakes.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as apply } from '../../cli/commands/apply.js';
import type { AgentReply } from '../../contracts/agent-api/routes.js';
import { DmsFake } from '../support/dms-fake.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import { secretsManagerFake } from './support/secrets-manager-fake.js';

const PLAN = fileURLToPath(new URL('../../plans/shop-cdc.yaml', import.meta.url));
const TOKEN = 'tok-S3CRET-shop-5151';
const ADMIN_PASSWORD = 'pw-S3CRET-admin-6262';
const SECRETS = {
  'pgferry/shop/agent/token': TOKEN,
  'pgferry/shop/target/shop_admin': JSON.stringify({ username: 'shop_admin', password: ADMIN_PASSWORD }),
  'pgferry/shop/source/dms_cdc': 'pw-S3CRET-dms-7373',
  'pgferry/shop/target/dms_load': 'pw-S3CRET-load-8484',
};

const preflight: AgentReply<'preflight'> = { ok: true, serverVersionNum: 160000, systemIdentifier: null, checks: [] };
const hash = `sha256:${'0'.repeat(64)}`;
const noopPlan: AgentReply<'plan'> = {
  planId: 'pl_1',
  planHash: hash,
  baseFingerprint: hash,
  bundleId: 'shop',
  bundleHash: hash,
  expiresAt: '2026-01-01T00:15:00.000Z',
  noop: true,
  changes: {
    settings: [],
    hba: {
      file: 'pg_hba.conf',
      changed: false,
      diff: '',
      added: 0,
      removed: 0,
      alreadySatisfied: [],
      shadowWarnings: [],
    },
  },
  requires: { reload: false, restart: false },
  restartPending: [],
  checks: [],
  warnings: [],
};

/** Just enough agent (answers as the contract says): preflight and a plan with nothing to change, 401 without the token. */
async function tokenCheckingAgent(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const authorized = request.headers.authorization === `Bearer ${TOKEN}`;
    response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
    const refused = {
      error: { code: 'UNAUTHORIZED', message: 'authentication required', details: [], changed: false },
    };
    response.end(JSON.stringify(authorized ? (request.url === '/v1/plans' ? noopPlan : preflight) : refused));
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('apply --dry-run with Secrets Manager references (plans/shop-cdc.yaml)', () => {
  let target: PgCluster;
  let agent: Awaited<ReturnType<typeof tokenCheckingAgent>>;
  let dms: DmsFake;
  let secrets: ReturnType<typeof secretsManagerFake>;
  let stateDir: string;

  beforeAll(async () => {
    target = await startCluster({ major: 16, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
    await target.query(
      `SET password_encryption = 'scram-sha-256'; CREATE ROLE shop_admin LOGIN CREATEDB PASSWORD '${ADMIN_PASSWORD}'`,
    );
    await target.query('CREATE DATABASE shop OWNER shop_admin');
    await target.query('CREATE DATABASE inventory OWNER shop_admin');
    agent = await tokenCheckingAgent();
    dms = new DmsFake();
    secrets = secretsManagerFake(SECRETS);
    stateDir = await mkdtemp(join(tmpdir(), 'pgferry-sm-dry-'));
  });
  afterAll(async () => {
    secrets?.restore();
    dms?.restore();
    await new Promise((resolve) => agent?.server.close(resolve));
    await target?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('resolves every secret it needs and reports no error', async () => {
    let stdout = '';
    let stderr = '';
    const code = await apply(
      [
        PLAN,
        '--dry-run',
        '--state-dir',
        stateDir,
        '--agent-url',
        agent.url,
        '--target-url',
        `postgres://shop_admin@127.0.0.1:${target.port}/`,
      ],
      {
        cwd: process.cwd(),
        env: {},
        isTTY: false,
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
      },
    );
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/^error/m);
    expect(code).toBe(0);
    expect(stdout).toMatch(/run\s+source\.preflight\s+preflight passes/);
    expect(stdout).toMatch(/run\s+target\.shop\.prepare\s+.*reachable/);
    expect(stdout).toMatch(/run\s+target\.inventory\.prepare\s+.*reachable/);
    expect(stdout).toMatch(/create\s+dms\.instance\.shop-ri\.create/);
    expect(agent.seen).toContain('POST /v1/preflight');
    // One read per secret for the whole run, only the ones the probes needed.
    expect([...secrets.reads].sort()).toEqual(['pgferry/shop/agent/token', 'pgferry/shop/target/shop_admin']);

    const written: string[] = [];
    for (const entry of await readdir(stateDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) written.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
    }
    const everything = [stdout, stderr, ...written].join('\n');
    for (const value of [TOKEN, ADMIN_PASSWORD, ...Object.values(SECRETS)]) expect(everything).not.toContain(value);
  });
});
