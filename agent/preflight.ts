// POST /v1/preflight: read-only DMS readiness checks (reference/dms.md §3, the DMS pre-migration
// assessment for PostgreSQL). Each check passes, warns or fails with a detail and a fix.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from './apply/plan.js';
import type { AgentContext } from './context.js';
import { readIdentity } from './host.js';
import { slotCountsSql } from './pg/sql.js';

export interface PreflightRequest {
  readonly databases?: readonly string[];
  readonly schemas?: readonly string[];
  readonly migrationUser?: string;
  readonly slotsNeeded?: number;
}

const pass = (id: string, detail: string): Check => ({ id, status: 'pass', detail });
const warn = (id: string, detail: string): Check => ({ id, status: 'warn', detail });
const fail = (id: string, detail: string): Check => ({ id, status: 'fail', detail });

export interface PreflightResult {
  readonly ok: boolean;
  readonly serverVersionNum: number;
  readonly systemIdentifier: string | null;
  readonly checks: Check[];
}

export async function preflight(ctx: AgentContext, body: PreflightRequest): Promise<PreflightResult> {
  const identity = await readIdentity(ctx.db, ctx.config);
  const v = identity.serverVersionNum;
  const checks: Check[] = [];
  const settings = new Map(
    (
      await ctx.db.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_catalog.pg_settings WHERE name IN ('wal_level','wal_sender_timeout','max_slot_wal_keep_size','shared_preload_libraries','logical_decoding_work_mem','idle_in_transaction_session_timeout')",
      )
    ).map((r) => [r.name, r.setting]),
  );
  const walLevel = settings.get('wal_level');
  checks.push(
    walLevel === 'logical'
      ? pass('wal_level_logical', 'wal_level=logical')
      : fail('wal_level_logical', `wal_level=${walLevel}; set wal_level=logical (restart)`),
  );
  const counts = (
    await ctx.db.query<{ slots_used: number; slots_max: number; walsenders_used: number; walsenders_max: number }>(
      slotCountsSql,
    )
  )[0]!;
  const needed = body.slotsNeeded ?? 1;
  checks.push(
    counts.slots_max - counts.slots_used >= needed
      ? pass('slot_headroom', `${counts.slots_used} of ${counts.slots_max} used; ${needed} needed`)
      : fail('slot_headroom', `${counts.slots_used} of ${counts.slots_max} used; ${needed} needed`),
  );
  checks.push(
    counts.walsenders_max - counts.walsenders_used >= needed
      ? pass('wal_sender_headroom', `${counts.walsenders_used} of ${counts.walsenders_max} used`)
      : fail('wal_sender_headroom', `${counts.walsenders_used} of ${counts.walsenders_max} used; ${needed} needed`),
  );
  const timeout = Number(settings.get('wal_sender_timeout'));
  checks.push(
    timeout === 0 || timeout >= 10000
      ? pass('wal_sender_timeout', `${timeout} ms`)
      : warn('wal_sender_timeout', `${timeout} ms; DMS needs 0 or >= 10000`),
  );
  if (v >= 130000) {
    const keep = settings.get('max_slot_wal_keep_size');
    checks.push(
      keep === '-1'
        ? warn('max_slot_wal_keep_size', '-1 (unlimited): an idle slot can fill the disk')
        : pass('max_slot_wal_keep_size', `${keep} MB`),
    );
  }
  const user = body.migrationUser;
  if (user) {
    const role = (
      await ctx.db.query<{ rolsuper: boolean; rolreplication: boolean; rolcanlogin: boolean }>(
        'SELECT rolsuper, rolreplication, rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = $1',
        [user],
      )
    )[0];
    checks.push(
      !role
        ? fail('migration_user', `role ${user} does not exist`)
        : role.rolcanlogin && (role.rolsuper || role.rolreplication)
          ? pass(
              'migration_user',
              `${user}: login${role.rolsuper ? ', superuser' : ''}${role.rolreplication ? ', replication' : ''}`,
            )
          : fail('migration_user', `${user} needs LOGIN and REPLICATION (or superuser)`),
    );
  }
  const agentRole = (
    await ctx.db.query<{ rolsuper: boolean; reload: boolean }>(
      `SELECT r.rolsuper, pg_catalog.has_function_privilege('pg_catalog.pg_reload_conf()', 'EXECUTE') AS reload
       FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,
    )
  )[0];
  checks.push(
    agentRole?.rolsuper
      ? pass('agent_privileges', 'superuser')
      : agentRole?.reload
        ? warn(
            'agent_privileges',
            'not superuser: needs the grants in docs/agent.md (pg_file_settings, pg_hba_file_rules, ALTER SYSTEM)',
          )
        : fail('agent_privileges', 'cannot run pg_reload_conf(); see docs/agent.md for the grants'),
  );
  const idleTimeout = Number(settings.get('idle_in_transaction_session_timeout') ?? 0);
  checks.push(
    idleTimeout === 0
      ? pass('idle_in_transaction_session_timeout', '0 (off)')
      : warn(
          'idle_in_transaction_session_timeout',
          `${idleTimeout} ms: it can end DMS sessions; the bundle sets 0 for the migration role`,
        ),
  );
  checks.push(
    existsSync(join(identity.dataDirectory, 'patroni.dynamic.json'))
      ? warn(
          'patroni_present',
          'Patroni manages this cluster: settings and slots must also go through its dynamic configuration',
        )
      : pass('patroni_present', 'no Patroni state in the data directory'),
  );
  const longTx = await ctx.db.query<{ pid: number; age: string }>(
    `SELECT pid, (now() - xact_start)::text AS age FROM pg_catalog.pg_stat_activity
      WHERE xact_start IS NOT NULL AND now() - xact_start > interval '15 minutes' AND pid <> pg_catalog.pg_backend_pid()`,
  );
  checks.push(
    longTx.length === 0
      ? pass('long_running_xacts', 'none over 15 minutes')
      : warn('long_running_xacts', longTx.map((t) => `pid ${t.pid} open for ${t.age}`).join('; ')),
  );
  const prepared = await ctx.db.query<{ gid: string }>('SELECT gid FROM pg_catalog.pg_prepared_xacts');
  checks.push(
    prepared.length === 0
      ? pass('prepared_xacts', 'none')
      : warn('prepared_xacts', `${prepared.length} prepared transactions`),
  );
  const leftovers = await ctx.db.query<{ slot_name: string }>(
    "SELECT slot_name::text FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE 'dms%' OR slot_name LIKE 'pgferry%'",
  );
  checks.push(
    leftovers.length === 0
      ? pass('leftover_dms_slots', 'none')
      : warn('leftover_dms_slots', leftovers.map((s) => s.slot_name).join(', ')),
  );
  if (body.databases && body.databases.length > 0) {
    // The catalog reader is loaded when a preflight first checks databases, not at start-up.
    const { catalogSnapshot } = await import('./catalog.js');
    const catalog = await catalogSnapshot(ctx, body.databases, body.schemas ?? null);
    for (const db of catalog.databases) {
      const tables = db.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned-table');
      const noPk = tables
        .filter((t) => t.primaryKey.length === 0 && !t.hasUniqueIndex)
        .map((t) => `${t.schema}.${t.name}`);
      checks.push(
        noPk.length === 0
          ? pass(`primary_keys:${db.name}`, `${tables.length} tables, all keyed`)
          : warn(`primary_keys:${db.name}`, `no primary key: ${noPk.join(', ')}`),
      );
      const risky = tables.flatMap((t) =>
        t.columns
          .filter((c) => c.concern && ['composite', 'range', 'geometric', 'postgis', 'oid-lob'].includes(c.concern))
          .map((c) => `${t.schema}.${t.name}.${c.name} (${c.concern})`),
      );
      const triggers = await ctx.db.withClient(
        async (client) =>
          (
            await client.query<{ evtname: string }>(
              "SELECT evtname FROM pg_catalog.pg_event_trigger WHERE evtname LIKE 'awsdms%' ORDER BY 1",
            )
          ).rows,
        db.name,
      );
      checks.push(
        triggers.length === 0
          ? pass(`leftover_dms_triggers:${db.name}`, 'none')
          : warn(
              `leftover_dms_triggers:${db.name}`,
              `DMS DDL capture left behind: ${triggers.map((t) => t.evtname).join(', ')}`,
            ),
      );
      checks.push(
        risky.length === 0
          ? pass(`unsupported_types:${db.name}`, 'none')
          : warn(`unsupported_types:${db.name}`, risky.join(', ')),
      );
    }
  }
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    serverVersionNum: v,
    systemIdentifier: identity.systemIdentifier,
    checks,
  };
}
