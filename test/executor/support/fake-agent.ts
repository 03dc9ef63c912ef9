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
import {
  applyRequestSchema,
  fenceRequestSchema,
  markerRequestSchema,
  preflightRequestSchema,
  restartRequestSchema,
  slotClaimRequestSchema,
  slotCreateRequestSchema,
  slotDropRequestSchema,
} from '../../../agent/schemas.js';
import { hashJson } from '../../../contracts/canonical-json.js';
import { readSourceSequences } from '../../../executor/sequences.js';
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

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

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

  async function settingRows(names: string[]) {
    const result = await query(
      'SELECT name, setting, pending_restart FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name',
      [names],
    );
    return result.rows.map((row) => ({ name: row.name, running: row.setting, pendingRestart: row.pending_restart }));
  }

  async function fileValues(): Promise<Map<string, string>> {
    const rows = await query('SELECT name, setting FROM pg_file_settings WHERE applied OR error IS NULL');
    return new Map(rows.rows.map((row) => [row.name as string, row.setting as string]));
  }

  async function slots(): Promise<Json> {
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
      `SELECT slot_name, plugin, database, active, restart_lsn::text, confirmed_flush_lsn::text,
              pg_current_wal_lsn()::text AS current,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag
         FROM pg_replication_slots ORDER BY slot_name`,
    );
    return {
      currentLsn: (await query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn,
      slots: result.rows.map((row) => ({
        slotName: row.slot_name,
        plugin: row.plugin,
        database: row.database,
        active: state.simulateConsumer ? true : row.active,
        restartLsn: row.restart_lsn,
        confirmedFlushLsn: row.confirmed_flush_lsn,
        retainedWalBytes: Number(row.retained),
        confirmedLagBytes: row.lag === null ? null : Number(row.lag),
      })),
    };
  }

  async function route(method: string, path: string, body: Json): Promise<[number, unknown]> {
    const url = new URL(path, 'http://agent');
    const p = url.pathname;
    if (method === 'GET' && p === '/v1/settings') {
      return [200, { settings: await settingRows((url.searchParams.get('names') ?? '').split(',')) }];
    }
    if (method === 'GET' && p === '/v1/status') {
      const row = (
        await query(
          "SELECT current_setting('server_version_num')::int AS v, system_identifier::text AS id FROM pg_control_system()",
        )
      ).rows[0];
      return [200, { serverVersionNum: row.v, systemIdentifier: row.id }];
    }
    if (method === 'POST' && p === '/v1/preflight') {
      const [wal] = await settingRows(['wal_level']);
      return [
        200,
        {
          ok: wal?.running === 'logical',
          checks: [{ id: 'wal_level_logical', status: wal?.running === 'logical' ? 'pass' : 'fail' }],
        },
      ];
    }
    if (method === 'POST' && p === '/v1/plans') {
      const settings = (body.settings ?? {}) as Record<string, string>;
      const file = await fileValues();
      const changes = Object.entries(settings).filter(([name, value]) => file.get(name) !== String(value));
      const planId = `pl_${plans.size + 1}`;
      const planHash = hashJson({ body, changes });
      plans.set(planId, { planHash, settings });
      const running = await settingRows(Object.keys(settings));
      const restart = running.some((row) => row.pendingRestart || String(settings[row.name]) !== row.running);
      return [
        200,
        { planId, planHash, baseFingerprint: 'sha256:fake', noop: changes.length === 0, requires: { restart } },
      ];
    }
    const apply = /^\/v1\/plans\/([^/]+)\/apply$/.exec(p);
    if (method === 'POST' && apply) {
      const plan = plans.get(apply[1]!);
      if (!plan) return [404, { error: { code: 'PLAN_NOT_FOUND', message: 'no such plan', changed: false } }];
      if (plan.planHash !== body.planHash)
        return [409, { error: { code: 'PLAN_DRIFT', message: 'hash', changed: false } }];
      for (const [name, value] of Object.entries(plan.settings as Record<string, string>)) {
        await query(`ALTER SYSTEM SET ${quote(name)} = ${literal(String(value))}`);
      }
      await query('SELECT pg_reload_conf()');
      const pending = (await settingRows(Object.keys(plan.settings as Json))).filter((row) => row.pendingRestart);
      return [
        200,
        {
          result: 'applied',
          changed: true,
          restartRequired: pending.length > 0,
          pendingRestart: pending.map((row) => row.name),
        },
      ];
    }
    if (method === 'POST' && p === '/v1/restart') {
      await source.restart();
      return [200, { result: 'restarted' }];
    }
    if (method === 'GET' && p === '/v1/slots') return [200, await slots()];
    if (method === 'POST' && p === '/v1/slots') {
      const db = String(body.database);
      const created = await query(
        'SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, $2)',
        [body.name, body.plugin ?? 'test_decoding'],
        db,
      );
      return [200, { slotName: body.name, lsn: created.rows[0].lsn }];
    }
    const claim = /^\/v1\/slots\/([^/]+)\/claim$/.exec(p);
    if (method === 'POST' && claim) {
      const name = decodeURIComponent(claim[1]!);
      const found = await query('SELECT database FROM pg_replication_slots WHERE slot_name = $1', [name]);
      if (found.rowCount === 0) return [404, { error: { code: 'SLOT_NOT_FOUND', message: name, changed: false } }];
      if (found.rows[0].database !== body.database)
        return [403, { error: { code: 'SLOT_NOT_ALLOWED', message: name, changed: false } }];
      claims.set(name, String(body.owner));
      return [200, { claimed: true, changed: true, slotName: name, database: body.database, owner: body.owner }];
    }
    const drop = /^\/v1\/slots\/([^/]+)$/.exec(p);
    if (method === 'DELETE' && drop) {
      const name = decodeURIComponent(drop[1]!);
      if (body.confirmSlotName !== name)
        return [428, { error: { code: 'CONFIRMATION_REQUIRED', message: 'confirmSlotName', changed: false } }];
      const found = await query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [name]);
      if (found.rowCount === 0) return [404, { error: { code: 'SLOT_NOT_FOUND', message: name, changed: false } }];
      if (found.rows[0].active) return [409, { error: { code: 'SLOT_ACTIVE', message: name, changed: false } }];
      await query('SELECT pg_drop_replication_slot($1)', [name]);
      return [200, { dropped: true }];
    }
    if (method === 'POST' && p === '/v1/fence') {
      fencedRoles = (body.roles as string[]) ?? [];
      for (const role of fencedRoles) await query(`ALTER ROLE ${quote(role)} SET default_transaction_read_only = on`);
      const terminated = await query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = ANY($1::text[])',
        [fencedRoles],
      );
      return [
        200,
        {
          fenced: true,
          method: body.method,
          roles: fencedRoles,
          changed: true,
          terminatedSessions: terminated.rows[0].n,
        },
      ];
    }
    if (method === 'POST' && p === '/v1/unfence') {
      const roles = fencedRoles.length > 0 ? fencedRoles : ['orders_app'];
      for (const role of roles) await query(`ALTER ROLE ${quote(role)} RESET default_transaction_read_only`);
      fencedRoles = [];
      return [200, { fenced: false, method: body.method, roles, changed: true, terminatedSessions: 0 }];
    }
    if (method === 'POST' && p === '/v1/markers') {
      const marker = await query(
        "SELECT pg_logical_emit_message(true, 'pgferry', 'cutover')::text AS lsn",
        [],
        String(body.database),
      );
      return [200, { id: '1', writtenAt: new Date().toISOString(), lsn: marker.rows[0].lsn }];
    }
    if (method === 'GET' && p === '/v1/catalog') {
      const db = url.searchParams.get('databases') ?? 'postgres';
      const client = new pg.Client({ connectionString: source.connectionString(db) });
      await client.connect();
      try {
        const sequences = await readSourceSequences(client);
        return [
          200,
          {
            formatVersion: 1,
            capturedAt: new Date().toISOString(),
            serverVersionNum: 0,
            databases: [
              {
                name: db,
                encoding: 'UTF8',
                collate: 'C',
                ctype: 'C',
                schemas: [],
                tables: [],
                extensions: [],
                sequences: sequences.map((s) => ({ ...s, ownedBy: null })),
              },
            ],
          },
        ];
      } finally {
        await client.end();
      }
    }
    return [404, { error: { code: 'NOT_FOUND', message: `${method} ${p}`, changed: false } }];
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
      send(401, { error: { code: 'UNAUTHORIZED', message: 'bad token', changed: false } });
      return;
    }
    const failKey = [...failures.keys()].find((key) => `${method} ${path}`.startsWith(key));
    if (failKey !== undefined) {
      const failure = failures.get(failKey)!;
      failures.delete(failKey);
      send(failure.status, { error: { code: failure.code, message: 'injected failure', changed: false } });
      return;
    }
    try {
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
      const allowed = ALLOWED[schemaKey(method, path.split('?')[0]!)];
      const unknown = allowed ? Object.keys(body).filter((key) => !allowed.includes(key)) : [];
      if (unknown.length > 0) {
        send(400, {
          error: { code: 'VALIDATION_FAILED', message: `unknown field(s) ${unknown.join(', ')}`, changed: false },
        });
        return;
      }
      const [status, payload] = await route(method, path, body);
      send(status, payload);
    } catch (error) {
      send(500, {
        error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), changed: false },
      });
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
