// A small in-test stand-in for the source-host agent, implementing the /v1 routes the executor calls
// against a REAL source cluster: settings, preflight, plans + apply (ALTER SYSTEM), restart, slots,
// fence (ALTER ROLE … default_transaction_read_only + terminating sessions), marker
// (pg_logical_emit_message), catalog sequences. It exists because the executor's tests must not wait
// on the real agent's progress; it is not the agent.
//
// What is simulated: with `simulateConsumer`, GET /v1/slots first runs `onConsume` (the executor world
// delivers the source's rows to the target there) and advances every logical slot to the current LSN,
// reporting it active, standing in for the DMS task that would be consuming it.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { readCatalog } from '../../../catalog/reader.js';
import { inSnapshotTransaction } from '../../../catalog/session.js';
import {
  applyRequestSchema,
  fenceRequestSchema,
  markerRequestSchema,
  preflightRequestSchema,
  restartRequestSchema,
  slotClaimRequestSchema,
  slotCreateRequestSchema,
  slotDropRequestSchema,
} from '../../../contracts/agent-api/requests.js';
import type { AgentReply } from '../../../contracts/agent-api/routes.js';
import { hashJson } from '../../../contracts/canonical-json.js';
import type { PgCluster } from '../../support/pg-cluster.js';

type Json = Record<string, unknown>;

export interface FakeAgent {
  readonly url: string;
  readonly requests: string[];
  simulateConsumer: boolean;
  /** Answer the next request to `METHOD /path-prefix` with this status and error code. */
  failNext(route: string, status: number, code: string): void;
  close(): Promise<void>;
}

// Body fields each route accepts, read from the real agent's schemas (agent/schemas.ts, additionalProperties
// false), so a request the real agent would refuse with 400 is refused here too and the two cannot drift.
const fields = (schema: { readonly properties: object }): readonly string[] => Object.keys(schema.properties);
const ALLOWED: Record<string, readonly string[]> = {
  'POST /v1/preflight': fields(preflightRequestSchema),
  'POST /v1/apply': fields(applyRequestSchema),
  'POST /v1/restart': fields(restartRequestSchema),
  'POST /v1/slots': fields(slotCreateRequestSchema),
  'DELETE /v1/slots': fields(slotDropRequestSchema),
  'POST /v1/slots/claim': fields(slotClaimRequestSchema),
  'POST /v1/fence': fields(fenceRequestSchema),
  'POST /v1/unfence': fields(fenceRequestSchema),
  'POST /v1/markers': fields(markerRequestSchema),
};

function schemaKey(method: string, path: string): string {
  if (/^\/v1\/plans\/[^/]+\/apply$/.test(path)) return `${method} /v1/apply`;
  if (/^\/v1\/slots\/[^/]+$/.test(path)) return `${method} /v1/slots`;
  if (/^\/v1\/slots\/[^/]+\/claim$/.test(path)) return `${method} /v1/slots/claim`;
  return `${method} ${path}`;
}

/** The agent's error envelope (contracts/agent-api/responses.ts). */
const failure = (code: string, message: string) => ({ error: { code, message, details: [], changed: false } });

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

function fenceAnswer(body: Json, roles: string[], fenced: boolean, terminated: number): AgentReply<'fence'> {
  const databases = Array.isArray(body.databases) ? body.databases.map(String) : [];
  const plan = String(body.plan ?? '');
  const at = new Date().toISOString();
  return {
    fenced,
    method: body.method === 'read_only' ? 'read_only' : 'hba_reject',
    plan,
    roles,
    databases,
    changed: true,
    terminatedSessions: terminated,
    operationId: `op_fence_${Date.now()}`,
    logins: databases.flatMap((database) => roles.map((role) => ({ role, database, refused: fenced }))),
    entries: fenced ? databases.map((database) => ({ plan, database, roles })) : [],
    ...(fenced ? { fencedAt: at } : { unfencedAt: at }),
  };
}

/**
 * `onConsume`: what else the simulated consumer does each time it advances the slots (the executor
 * world delivers the source's rows to the target, as DMS applying them would).
 */
export async function startFakeAgent(
  source: PgCluster,
  token: string,
  onConsume: () => Promise<void> = async () => undefined,
): Promise<FakeAgent> {
  const requests: string[] = [];
  const failures = new Map<string, { status: number; code: string }>();
  const plans = new Map<string, Json>();
  let fencedRoles: string[] = [];
  /** Slots the executor claimed for its plan, with the owner it named. */
  const claims = new Map<string, string>();
  const state = { simulateConsumer: false };

  const query = (sql: string, params: unknown[] = [], db = 'postgres') => source.query(sql, params, db);

  async function settingRows(names: string[]): Promise<AgentReply<'settings'>['settings']> {
    const result = await query(
      `SELECT name, setting, unit, vartype, context, source, sourcefile, sourceline, boot_val, enumvals, pending_restart
         FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name`,
      [names],
    );
    return result.rows.map((row) => ({
      name: row.name,
      running: row.setting,
      unit: row.unit,
      vartype: row.vartype,
      context: row.context,
      source: row.source,
      sourceFile: row.sourcefile,
      sourceLine: row.sourceline,
      bootVal: row.boot_val,
      enumvals: row.enumvals,
      pendingRestart: row.pending_restart,
      managedByAgent: true,
    }));
  }

  async function identity() {
    const row = (
      await query(
        `SELECT current_setting('server_version_num')::int AS v, current_setting('server_version') AS version,
                system_identifier::text AS id, pg_current_wal_lsn()::text AS lsn,
                pg_postmaster_start_time()::text AS started, current_setting('data_directory') AS data,
                current_setting('config_file') AS config, current_setting('hba_file') AS hba
           FROM pg_control_system()`,
      )
    ).rows[0];
    return row as {
      v: number;
      version: string;
      id: string;
      lsn: string;
      started: string;
      data: string;
      config: string;
      hba: string;
    };
  }

  async function fileValues(): Promise<Map<string, string>> {
    const rows = await query('SELECT name, setting FROM pg_file_settings WHERE applied OR error IS NULL');
    return new Map(rows.rows.map((row) => [row.name as string, row.setting as string]));
  }

  async function slots(): Promise<AgentReply<'slots'>> {
    if (state.simulateConsumer) {
      const logical = await query(
        "SELECT slot_name, database FROM pg_replication_slots WHERE slot_type = 'logical' AND NOT active",
      );
      // Apply, then confirm: what the consumer delivered is on the target before the slot moves on.
      await onConsume();
      for (const row of logical.rows) {
        await query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [row.slot_name], row.database);
      }
    }
    const result = await query(
      `SELECT slot_name, plugin, slot_type, database, temporary, active, active_pid, restart_lsn::text, confirmed_flush_lsn::text,
              -- columns a major may lack (wal_status 13+, two_phase 14+, conflicting 16+, inactive_since 17+): null
              to_jsonb(s) ->> 'wal_status' AS wal_status, to_jsonb(s) ->> 'safe_wal_size' AS safe_wal_size,
              (to_jsonb(s) ->> 'two_phase')::boolean AS two_phase, (to_jsonb(s) ->> 'conflicting')::boolean AS conflicting,
              to_jsonb(s) ->> 'inactive_since' AS inactive_since, to_jsonb(s) ->> 'invalidation_reason' AS invalidation_reason,
              pg_current_wal_lsn()::text AS current,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag
         FROM pg_replication_slots s ORDER BY slot_name`,
    );
    const current = (
      await query(
        "SELECT pg_current_wal_lsn()::text AS lsn, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes, current_setting('server_version_num')::int AS v",
      )
    ).rows[0];
    return {
      currentLsn: current.lsn,
      currentLsnBytes: Number(current.bytes),
      serverVersionNum: current.v,
      capabilities: {
        confirmedFlushLsn: true,
        walStatus: current.v >= 130000,
        twoPhase: current.v >= 140000,
        conflicting: current.v >= 160000,
        inactiveSince: current.v >= 170000,
      },
      slots: result.rows.map((row) => ({
        slotName: row.slot_name,
        slotType: row.slot_type === 'physical' ? 'physical' : 'logical',
        plugin: row.plugin,
        database: row.database,
        temporary: row.temporary,
        active: state.simulateConsumer ? true : row.active,
        activePid: row.active_pid,
        restartLsn: row.restart_lsn,
        confirmedFlushLsn: row.confirmed_flush_lsn,
        retainedWalBytes: Number(row.retained),
        confirmedLagBytes: row.lag === null ? null : Number(row.lag),
        walStatus: row.wal_status,
        safeWalSizeBytes: row.safe_wal_size === null ? null : Number(row.safe_wal_size),
        twoPhase: row.two_phase,
        conflicting: row.conflicting,
        inactiveSince: row.inactive_since,
        invalidationReason: row.invalidation_reason,
        observedInactiveSince: null,
        walsender: null,
      })),
      takenAt: new Date().toISOString(),
    };
  }

  async function route(method: string, path: string, body: Json): Promise<[number, unknown]> {
    const url = new URL(path, 'http://agent');
    const p = url.pathname;
    if (method === 'GET' && p === '/v1/settings') {
      return [200, { settings: await settingRows((url.searchParams.get('names') ?? '').split(',')) }];
    }
    if (method === 'GET' && p === '/v1/status') {
      const host = await identity();
      const pending = (await query('SELECT name, setting FROM pg_settings WHERE pending_restart')).rows;
      const answer: AgentReply<'status'> = {
        agentVersion: 'fake',
        serverVersion: host.version,
        serverVersionNum: host.v,
        systemIdentifier: host.id,
        role: 'primary',
        currentLsn: host.lsn,
        postmasterStartTime: host.started,
        dataDirectory: host.data,
        configFile: host.config,
        hbaFile: host.hba,
        pendingRestart: pending.length > 0,
        pendingRestartReason: Object.fromEntries(
          pending.map((row) => [row.name, { running: row.setting, file: null, fileSource: null }]),
        ),
        applied: null,
        lastOperation: null,
      };
      return [200, answer];
    }
    if (method === 'POST' && p === '/v1/preflight') {
      const [wal] = await settingRows(['wal_level']);
      const host = await identity();
      const logical = wal?.running === 'logical';
      const answer: AgentReply<'preflight'> = {
        ok: logical,
        serverVersionNum: host.v,
        systemIdentifier: host.id,
        checks: [{ id: 'wal_level_logical', status: logical ? 'pass' : 'fail', detail: `wal_level=${wal?.running}` }],
      };
      return [200, answer];
    }
    if (method === 'POST' && p === '/v1/plans') {
      const settings = (body.settings ?? {}) as Record<string, string>;
      const file = await fileValues();
      const changes = Object.entries(settings).filter(([name, value]) => file.get(name) !== String(value));
      const planId = `pl_${plans.size + 1}`;
      const planHash = hashJson({ body, changes });
      plans.set(planId, { planHash, settings });
      const running = await settingRows(Object.keys(settings));
      const restartPending = running
        .filter((row) => row.pendingRestart || String(settings[row.name]) !== row.running)
        .map((row) => row.name);
      const answer: AgentReply<'plan'> = {
        planId,
        planHash,
        baseFingerprint: hashJson([...file]),
        bundleId: String(body.bundleId ?? 'fake'),
        bundleHash: hashJson(body),
        expiresAt: new Date(Date.now() + 900_000).toISOString(),
        noop: changes.length === 0,
        changes: {
          settings: changes.map(([name, value]) => ({
            name,
            from: running.find((row) => row.name === name)?.running ?? '',
            fileValue: file.get(name) ?? null,
            to: String(value),
            unit: null,
            context: running.find((row) => row.name === name)?.context ?? 'sighup',
            effect: running.find((row) => row.name === name)?.context === 'postmaster' ? 'restart' : 'reload',
            sql: `ALTER SYSTEM SET ${quote(name)} = ${literal(String(value))}`,
          })),
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
        requires: { reload: changes.length > 0, restart: restartPending.length > 0 },
        restartPending,
        checks: [],
        warnings: [],
      };
      return [200, answer];
    }
    const apply = /^\/v1\/plans\/([^/]+)\/apply$/.exec(p);
    if (method === 'POST' && apply) {
      const plan = plans.get(apply[1]!);
      if (!plan) return [404, failure('PLAN_NOT_FOUND', 'no such plan')];
      if (plan.planHash !== body.planHash) return [409, failure('PLAN_HASH_MISMATCH', 'hash')];
      for (const [name, value] of Object.entries(plan.settings as Record<string, string>)) {
        await query(`ALTER SYSTEM SET ${quote(name)} = ${literal(String(value))}`);
      }
      await query('SELECT pg_reload_conf()');
      const pending = (await settingRows(Object.keys(plan.settings as Json))).filter((row) => row.pendingRestart);
      const answer: AgentReply<'apply'> = {
        result: 'applied',
        changed: true,
        operationId: `op_${plans.size}`,
        backupId: null,
        reloaded: true,
        restartRequired: pending.length > 0,
        restarted: false,
        pendingRestart: pending.map((row) => row.name),
        planHash: String(plan.planHash),
        verify: { reconnect: 'ok', reloadApplied: {}, unexpectedPendingRestart: [] },
      };
      return [200, answer];
    }
    if (method === 'POST' && p === '/v1/restart') {
      await source.restart();
      const answer: AgentReply<'restart'> = {
        result: 'restarted',
        changed: true,
        operationId: 'op_restart',
        pendingRestart: (await settingRows(['wal_level'])).filter((row) => row.pendingRestart).map((row) => row.name),
      };
      return [200, answer];
    }
    if (method === 'GET' && p === '/v1/slots') return [200, await slots()];
    if (method === 'POST' && p === '/v1/slots') {
      const db = String(body.database);
      const created = await query(
        'SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, $2)',
        [body.name, body.plugin ?? 'test_decoding'],
        db,
      );
      const answer: AgentReply<'slotCreate'> = {
        created: true,
        changed: true,
        slotName: String(body.name),
        lsn: created.rows[0].lsn,
        plugin: String(body.plugin ?? 'test_decoding'),
        database: db,
      };
      return [200, answer];
    }
    const claim = /^\/v1\/slots\/([^/]+)\/claim$/.exec(p);
    if (method === 'POST' && claim) {
      const name = decodeURIComponent(claim[1]!);
      const found = await query('SELECT database FROM pg_replication_slots WHERE slot_name = $1', [name]);
      if (found.rowCount === 0) return [404, failure('SLOT_NOT_FOUND', name)];
      if (found.rows[0].database !== body.database) return [403, failure('SLOT_NOT_ALLOWED', name)];
      claims.set(name, String(body.owner));
      const answer: AgentReply<'slotClaim'> = {
        claimed: true,
        changed: true,
        slotName: name,
        database: String(body.database),
        owner: String(body.owner),
        claimedAt: new Date().toISOString(),
      };
      return [200, answer];
    }
    const drop = /^\/v1\/slots\/([^/]+)$/.exec(p);
    if (method === 'DELETE' && drop) {
      const name = decodeURIComponent(drop[1]!);
      if (body.confirmSlotName !== name) return [428, failure('CONFIRMATION_REQUIRED', 'confirmSlotName')];
      const found = await query(
        'SELECT active, restart_lsn::text, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1',
        [name],
      );
      if (found.rowCount === 0) return [404, failure('SLOT_NOT_FOUND', name)];
      if (found.rows[0].active) return [409, failure('SLOT_ACTIVE', name)];
      await query('SELECT pg_drop_replication_slot($1)', [name]);
      const answer: AgentReply<'slotDrop'> = {
        dropped: true,
        changed: true,
        slotName: name,
        freedWalBytesEstimate: null,
        restartLsn: found.rows[0].restart_lsn,
        confirmedFlushLsn: found.rows[0].confirmed_flush_lsn,
      };
      return [200, answer];
    }
    if (method === 'POST' && p === '/v1/fence') {
      fencedRoles = (body.roles as string[]) ?? [];
      for (const role of fencedRoles) await query(`ALTER ROLE ${quote(role)} SET default_transaction_read_only = on`);
      const terminated = await query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = ANY($1::text[])',
        [fencedRoles],
      );
      return [200, fenceAnswer(body, fencedRoles, true, terminated.rows[0].n)];
    }
    if (method === 'POST' && p === '/v1/unfence') {
      const roles = fencedRoles.length > 0 ? fencedRoles : ['orders_app'];
      for (const role of roles) await query(`ALTER ROLE ${quote(role)} RESET default_transaction_read_only`);
      fencedRoles = [];
      return [200, fenceAnswer(body, roles, false, 0)];
    }
    if (method === 'POST' && p === '/v1/markers') {
      const marker = await query(
        "SELECT pg_logical_emit_message(true, 'pgferry', 'cutover')::text AS lsn",
        [],
        String(body.database),
      );
      const answer: AgentReply<'marker'> = {
        database: String(body.database),
        table: 'pgferry.marker',
        label: String(body.label ?? ''),
        changed: true,
        id: '1',
        writtenAt: new Date().toISOString(),
        lsn: marker.rows[0].lsn,
      };
      return [200, answer];
    }
    if (method === 'GET' && p === '/v1/catalog') {
      // The one catalog reader the agent serves from (catalog/reader.ts), on the source itself.
      const databases = (url.searchParams.get('databases') ?? 'postgres').split(',');
      const read = await readCatalog(
        {
          async withSession(database, fn) {
            const client = new pg.Client({ connectionString: source.connectionString(database ?? 'postgres') });
            await client.connect();
            try {
              return await inSnapshotTransaction(client, fn);
            } finally {
              await client.end();
            }
          },
        },
        { databases, lobSampling: null },
      );
      return [200, read.snapshot];
    }
    return [404, failure('NOT_FOUND', `${method} ${p}`)];
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push(`${method} ${path.split('?')[0]}`);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(401, failure('UNAUTHORIZED', 'bad token'));
      return;
    }
    const failKey = [...failures.keys()].find((key) => `${method} ${path}`.startsWith(key));
    if (failKey !== undefined) {
      const injected = failures.get(failKey)!;
      failures.delete(failKey);
      send(injected.status, failure(injected.code, 'injected failure'));
      return;
    }
    try {
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
      const allowed = ALLOWED[schemaKey(method, path.split('?')[0]!)];
      const unknown = allowed ? Object.keys(body).filter((key) => !allowed.includes(key)) : [];
      if (unknown.length > 0) {
        send(400, failure('SCHEMA_INVALID', `unknown field(s) ${unknown.join(', ')}`));
        return;
      }
      const [status, payload] = await route(method, path, body);
      send(status, payload);
    } catch (error) {
      send(500, failure('INTERNAL', error instanceof Error ? error.message : String(error)));
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get simulateConsumer() {
      return state.simulateConsumer;
    },
    set simulateConsumer(value: boolean) {
      state.simulateConsumer = value;
    },
    failNext(route, status, code) {
      failures.set(route, { status, code });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
