// Refusals that happen before anything is written (reference/agent.md §3): bad requests, auth and
// scopes, bundle validation against the running server. Each asserts the whole error envelope's code
// and that the files did not move. PostgreSQL 12 here, so version gates are exercised on an older major.
// Over 400 lines on purpose: every refusal shares one agent and one PostgreSQL 12 cluster, started once.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBundle } from '../../contracts/bundle.js';
import { type PgCluster, startCluster } from '../support/pg-cluster.js';
import {
  admin,
  auth,
  makeBundle,
  pgRecvlogical,
  rehash,
  snapshotFiles,
  startAgent,
  type TestAgent,
  TOKENS,
  until,
} from './support.js';

let cluster: PgCluster;
let agent: TestAgent;
let bundle: SourceBundle;

beforeAll(async () => {
  cluster = await startCluster({ major: 12, settings: { wal_level: 'logical' } });
  agent = await startAgent(cluster);
  const v = Number((await cluster.query('SHOW server_version_num')).rows[0].server_version_num);
  bundle = makeBundle(12, v);
});

afterAll(async () => {
  await agent?.close();
  await cluster?.stop();
});

const plan = (payload: unknown, headers: Record<string, string> = admin) =>
  agent.app.inject({ method: 'POST', url: '/v1/plans', headers, payload: payload as object });

describe('requests and auth', () => {
  it('answers health without a token and without SQL', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', lock: { held: false } });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it.each([
    ['no token', {}, 401, 'UNAUTHORIZED'],
    ['a wrong token', auth('not-the-token-at-all-0000'), 401, 'UNAUTHORIZED'],
    ['a malformed header', { authorization: 'Basic abc' }, 401, 'UNAUTHORIZED'],
    ['a token without the plan scope', auth(TOKENS.reader), 403, 'SCOPE_MISSING'],
  ])('refuses %s', async (_name, headers, status, code) => {
    const res = await plan(bundle, headers as Record<string, string>);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({
      error: expect.objectContaining({ code, changed: false, details: expect.any(Array) }),
    });
    if (status === 401) expect(res.json().error.message).toBe('authentication required');
  });

  it('audits refusals', async () => {
    await plan(bundle, auth(TOKENS.reader));
    const audit = (await readFile(`${agent.stateDir}/audit.log`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.some((r) => r.kind === 'refusal' && r.errorCode === 'SCOPE_MISSING' && r.principal === 'reader')).toBe(
      true,
    );
  });

  it('rejects an unknown field instead of dropping it', async () => {
    const res = await plan({ ...bundle, setings: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'SCHEMA_INVALID', changed: false });
    expect(res.json().error.message).toContain("'setings'");
  });

  it('does not coerce types', async () => {
    const res = await plan({ ...bundle, schemaVersion: '1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SCHEMA_INVALID');
  });

  it('rejects a body that is not JSON', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/v1/plans',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"schemaVersion":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SCHEMA_INVALID');
  });

  it('rejects a body that is too large (413) and a wrong content type (415)', async () => {
    const big = await plan({ ...bundle, bundleId: 'x'.repeat(300_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('BODY_TOO_LARGE');
    expect(big.json().error.message).toContain('limits.bodyBytes');
    const text = await agent.app.inject({
      method: 'POST',
      url: '/v1/plans',
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers unknown routes in the envelope', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/v1/nope', headers: admin });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it.each([
    ['a path parameter over 100 characters', 'GET', `/v1/slots/${'a'.repeat(101)}`, 414, 'URI_TOO_LONG'],
    ['a malformed escape', 'GET', '/v1/slots/%E0%A4%A', 400, 'BAD_REQUEST'],
    ['a hostile slot name on GET as on DELETE', 'GET', '/v1/slots/x%27%3B%20DROP', 400, 'INVALID_SLOT_NAME'],
    ['an unknown route', 'DELETE', '/v1/nothing/here', 404, 'NOT_FOUND'],
  ])("answers %s in the agent's envelope, never fastify's body", async (_what, method, url, status, code) => {
    const res = await agent.app.inject({ method: method as 'GET', url, headers: admin });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toEqual({
      error: { code, message: expect.any(String), details: [], changed: false, requestId: expect.any(String) },
    });
  });
});

describe('capacity is never lowered silently', () => {
  it('refuses a bundle that sets max_wal_senders or max_replication_slots below what the server runs', async () => {
    const before = await snapshotFiles(cluster);
    for (const settings of [{ max_wal_senders: 3 }, { max_replication_slots: 3 }] as Record<string, number>[]) {
      const res = await plan(rehash(bundle, { settings }));
      expect([res.statusCode, res.json().error.code], res.body).toEqual([422, 'CAPACITY_LOWERED']);
      const name = Object.keys(settings)[0];
      expect(res.json().error.message).toBe(
        `${name} = 3 is below the server's current 10; lowering capacity can break standbys and tools already connected: keep it, or lower it on purpose: source.capacity_may_lower in the plan (capacity.mayLower in the bundle)`,
      );
      expect(res.json().error.details).toEqual([{ name, desired: 3, current: 10, running: 10, file: null }]);
    }
    expect(await snapshotFiles(cluster)).toEqual(before);
  });

  it('keeps a higher running value for a floor the compiler computed, and says so', async () => {
    const res = await plan(
      rehash(bundle, {
        settings: { max_wal_senders: 3, max_replication_slots: 4, wal_sender_timeout: 0 },
        capacity: { floors: ['max_replication_slots', 'max_wal_senders'], mayLower: [] },
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const names = res.json().changes.settings.map((c: { name: string }) => c.name);
    expect(names).not.toContain('max_wal_senders');
    expect(names).not.toContain('max_replication_slots');
    expect(res.json().checks).toContainEqual({
      id: 'capacity_max_wal_senders',
      status: 'pass',
      detail: 'max_wal_senders stays 10: the bundle needs at least 3, and capacity is never lowered',
    });
  });

  it('lowers only what the bundle explicitly allows', async () => {
    const res = await plan(
      rehash(bundle, { settings: { max_wal_senders: 8 }, capacity: { floors: [], mayLower: ['max_wal_senders'] } }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changes.settings).toContainEqual(expect.objectContaining({ name: 'max_wal_senders', to: '8' }));
  });
});

describe('secrets in logs', () => {
  it('never writes a token from a query string or a header into the audit log or the request log', async () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => void warnings.push(warning.code ?? warning.name);
    process.on('warning', onWarning);
    const { agentLogger, requestLogController } = await import('../../agent/server.js');
    const logged = await startAgent(cluster, {
      build: {
        logger: agentLogger({ write: (line) => void lines.push(line) }),
        logController: requestLogController(false),
      },
    });
    process.off('warning', onWarning);
    // Request logging is switched through a LogController: no deprecation warning at start-up.
    expect(warnings).not.toContain('FSTDEP023');
    try {
      const secret = 'leaked-token-0123456789abcdef';
      for (const [url, headers] of [
        [`/v1/status?token=${secret}`, {}],
        [`/v1/status?access_token=${secret}&x=1`, auth(secret)],
        [`/v1/plans?token=${TOKENS.admin}`, { authorization: `Bearer ${TOKENS.admin}`, cookie: `t=${secret}` }],
        [`/v1/nope?token=${secret}`, admin],
      ] as const) {
        const res = await logged.app.inject({
          method: url.startsWith('/v1/plans') ? 'POST' : 'GET',
          url,
          headers,
          ...(url.startsWith('/v1/plans') ? { payload: { nope: 1 } } : {}),
        });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
      }
      const audit = await readFile(join(logged.stateDir, 'audit.log'), 'utf8');
      expect(audit).toContain('"path":"/v1/status"');
      const log = lines.join('');
      expect(log).toContain('"url":"/v1/status"');
      for (const text of [audit, log]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(TOKENS.admin);
        expect(text).not.toContain('token=');
      }
    } finally {
      await logged.close();
    }
  });
});

describe('bundle validation against the server', () => {
  const cases: [string, Partial<Omit<SourceBundle, 'hash'>>, string][] = [
    ['an unknown setting', { settings: { max_replicaton_slots: 10 } }, 'UNKNOWN_SETTING'],
    ['a setting this major lacks', { settings: { max_slot_wal_keep_size: '50GB' } }, 'SETTING_NOT_IN_VERSION'],
    ['a misspelt enum', { settings: { wal_level: 'logcal' } }, 'INVALID_VALUE'],
    ['a value below the minimum', { settings: { max_wal_senders: -1 } }, 'INVALID_VALUE'],
    ['an unknown unit', { settings: { wal_sender_timeout: '10 parsecs' } }, 'INVALID_VALUE'],
    ['an internal setting', { settings: { wal_segment_size: 16 } }, 'NOT_SETTABLE'],
    ['a setting outside the allow-list', { settings: { log_min_messages: 'debug1' } }, 'SETTING_NOT_ALLOWED'],
    ['an injected newline', { settings: { wal_sender_timeout: "0'\ninclude '/tmp/x.conf" } }, 'INVALID_CHARACTERS'],
    ['a missing preload library', { settings: { shared_preload_libraries: ['no_such_library'] } }, 'LIBRARY_NOT_FOUND'],
    ['another major', { target: { pgMajor: 16, serverVersionNum: 160000, systemIdentifier: null } }, 'WRONG_TARGET'],
    ['another cluster', { target: { pgMajor: 12, serverVersionNum: 120000, systemIdentifier: '1' } }, 'WRONG_TARGET'],
  ];

  it.each(cases)('refuses %s with 422 and writes nothing', async (_name, patch, code) => {
    const before = await snapshotFiles(cluster);
    const res = await plan(rehash(bundle, patch));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code, changed: false });
    expect(await snapshotFiles(cluster)).toEqual(before);
  });

  it('says where to allow a setting outside the allow-list', async () => {
    const res = await plan(rehash(bundle, { settings: { log_min_messages: 'debug1' } }));
    expect(res.json().error.message).toBe(
      "log_min_messages is not in the agent's settings allow-list; add it to settingsAllowList in the agent config if the agent should manage it",
    );
  });

  it('suggests the setting that was meant', async () => {
    const res = await plan(rehash(bundle, { settings: { max_replicaton_slots: 10 } }));
    expect(res.json().error.details).toEqual([{ name: 'max_replicaton_slots', suggestion: 'max_replication_slots' }]);
  });

  it('refuses a bundle whose hash does not match its content', async () => {
    const res = await plan({ ...bundle, bundleId: 'tampered' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('BUNDLE_HASH_MISMATCH');
  });

  it.each([
    [
      'an any-address rule',
      { type: 'host', database: ['appdb'], user: ['dms_user'], address: '0.0.0.0/0', method: 'md5', comment: '' },
    ],
    [
      'peer on a host rule',
      { type: 'host', database: ['appdb'], user: ['dms_user'], address: '10.0.0.0/8', method: 'peer', comment: '' },
    ],
    [
      'a bad CIDR',
      { type: 'host', database: ['appdb'], user: ['dms_user'], address: '10.0.0.0/33', method: 'md5', comment: '' },
    ],
  ] as const)('refuses %s by policy', async (_name, rule) => {
    const res = await plan(rehash(bundle, { hba: { ...bundle.hba, rules: [rule] } }));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('HBA_POLICY');
  });

  it('refuses a CDC rule that names the replication keyword instead of the database on 10+', async () => {
    const rule = {
      type: 'host',
      database: ['replication'],
      user: ['dms_user'],
      address: '10.0.1.0/24',
      method: 'md5',
      comment: '',
    } as const;
    const res = await plan(rehash(bundle, { hba: { ...bundle.hba, rules: [rule] } }));
    expect([res.statusCode, res.json().error.code]).toEqual([422, 'HBA_KEYWORD_VERSION_MISMATCH']);
  });

  it('refuses an hba change that would lock out the agent, naming the rule', async () => {
    const before = await snapshotFiles(cluster);
    const reject = {
      type: 'local',
      database: ['all'],
      user: ['all'],
      address: null,
      method: 'reject',
      comment: 'oops',
    } as const;
    const res = await plan(rehash(bundle, { hba: { ...bundle.hba, anchor: 'top', rules: [reject] } }));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('LOCKOUT_RISK');
    expect(res.json().error.message).toContain('local postgres postgres');
    expect(await snapshotFiles(cluster)).toEqual(before);
  });

  it('plans an empty list as RESET, never as an empty string', async () => {
    await cluster.query("ALTER SYSTEM SET shared_preload_libraries = 'test_decoding'");
    try {
      const res = await plan(rehash(bundle, { settings: { shared_preload_libraries: [] } }));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().changes.settings).toEqual([
        expect.objectContaining({
          name: 'shared_preload_libraries',
          to: '',
          sql: 'ALTER SYSTEM RESET shared_preload_libraries',
        }),
      ]);
    } finally {
      await cluster.query('ALTER SYSTEM RESET shared_preload_libraries');
    }
  });

  it('refuses max_replication_slots below the slots in use and wal_level below logical with logical slots', async () => {
    await cluster.query("SELECT pg_create_logical_replication_slot('dms_a', 'test_decoding')");
    await cluster.query("SELECT pg_create_logical_replication_slot('dms_b', 'test_decoding')");
    try {
      // Lowering below the slots in use is refused even when the bundle allows lowering.
      const slots = await plan(
        rehash(bundle, {
          settings: { max_replication_slots: 1 },
          capacity: { floors: [], mayLower: ['max_replication_slots'] },
        }),
      );
      expect(slots.json().error.code).toBe('SLOT_LIMIT_BELOW_USAGE');
      const level = await plan(rehash(bundle, { settings: { wal_level: 'replica' } }));
      expect(level.json().error.code).toBe('WAL_LEVEL_CONFLICT_LOGICAL_SLOTS');
    } finally {
      await cluster.query("SELECT pg_drop_replication_slot('dms_a'), pg_drop_replication_slot('dms_b')");
    }
  });

  it.runIf(pgRecvlogical() !== null)('refuses to lower max_wal_senders while a physical standby streams', async () => {
    const receivewal = join(dirname(pgRecvlogical()!), 'pg_receivewal');
    const walDir = await mkdtemp(join(tmpdir(), 'pgferry-receivewal-'));
    const standby = spawn(
      receivewal,
      ['-h', cluster.socketDir, '-p', String(cluster.port), '-U', 'postgres', '-D', walDir, '--no-loop'],
      { stdio: 'ignore' },
    );
    try {
      await until(
        async () => (await cluster.query('SELECT count(*)::int AS n FROM pg_stat_replication')).rows[0].n > 0,
        'walsender',
      );
      // Even a lowering the bundle allows explicitly is refused while a standby streams.
      const res = await plan(
        rehash(bundle, { settings: { max_wal_senders: 5 }, capacity: { floors: [], mayLower: ['max_wal_senders'] } }),
      );
      expect([res.statusCode, res.json().error.code]).toEqual([422, 'STANDBY_SENSITIVE_PARAM']);
      expect(res.json().error.details).toEqual([{ name: 'max_wal_senders', running: '10', desired: '5' }]);
    } finally {
      standby.kill('SIGTERM');
      await rm(walDir, { recursive: true, force: true });
    }
  });

  it('reports a rule that exists already instead of duplicating it', async () => {
    const hba = await readFile(cluster.hbaFile, 'utf8');
    await writeFile(cluster.hbaFile, `${hba}host\tappdb\tnobody\t10.9.0.0/16\treject\n`);
    try {
      const rule = {
        type: 'host',
        database: ['appdb'],
        user: ['nobody'],
        address: '10.9.0.0/16',
        method: 'reject',
        comment: '',
      } as const;
      const res = await plan(rehash(bundle, { hba: { ...bundle.hba, anchor: 'bottom', rules: [rule] } }));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().changes.hba.changed).toBe(false);
      expect(res.json().changes.hba.alreadySatisfied).toHaveLength(1);
    } finally {
      await writeFile(cluster.hbaFile, hba);
    }
  });

  it('refuses a new rule that an earlier reject would shadow', async () => {
    const hba = await readFile(cluster.hbaFile, 'utf8');
    await writeFile(cluster.hbaFile, `${hba}host\tall\tall\t10.0.0.0/8\treject\n`);
    try {
      const rule = {
        type: 'host',
        database: ['appdb'],
        user: ['dms_user'],
        address: '10.0.1.0/24',
        method: 'scram-sha-256',
        comment: '',
      } as const;
      const res = await plan(rehash(bundle, { hba: { ...bundle.hba, anchor: 'bottom', rules: [rule] } }));
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('RULE_SHADOWED');
    } finally {
      await writeFile(cluster.hbaFile, hba);
    }
  });
});
