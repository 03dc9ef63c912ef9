// The settings half of a plan: every desired GUC checked against the running server's pg_settings and
// normalised, compared with what the files say, and the cross-checks that would make the next start fail.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CAPACITY_SETTINGS, type GucValue, type SourceBundle } from '../../contracts/bundle.js';
import { closest } from '../../contracts/suggest.js';
import type { AgentConfig } from '../config/types.js';
import { AgentError } from '../errors.js';
import type { Identity } from '../host.js';
import type { Db } from '../pg/db.js';
import { alterSystemSql, normalise, normaliseFileValue, type SettingRow } from '../pg/guc.js';
import { fileWinnersSql, pkglibdirSql, settingsSql, slotCountsSql, VERSIONED_SETTINGS } from '../pg/sql.js';
import type { Check, SettingChange } from './plan-types.js';

interface WinnerRow {
  name: string;
  sourcefile: string | null;
  sourceline: number | null;
  setting: string | null;
  error: string | null;
}

export async function planSettings(db: Db, bundle: SourceBundle, identity: Identity, config: AgentConfig) {
  const v = identity.serverVersionNum;
  const names = Object.keys(bundle.settings).sort();
  for (const name of names) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
      throw new AgentError('UNKNOWN_SETTING', `'${name}' is not a valid setting name`, { details: [{ name }] });
    }
  }
  db.count('settings');
  const rows = new Map((await db.query<SettingRow>(settingsSql, [names])).map((r) => [r.name, r]));
  const winners = new Map((await db.query<WinnerRow>(fileWinnersSql, [names])).map((r) => [r.name, r]));
  const changes: SettingChange[] = [];
  const desired = new Map<string, { normalised: string; context: string }>();
  const restartPending: string[] = [];
  const capacityChecks: Check[] = [];
  const floors = new Set(bundle.capacity?.floors ?? []);
  const mayLower = new Set(bundle.capacity?.mayLower ?? []);
  for (const name of names) {
    const row = rows.get(name);
    if (!row) {
      const gate = VERSIONED_SETTINGS[name];
      if (gate && ((gate.from && v < gate.from) || (gate.until && v >= gate.until))) {
        throw new AgentError(
          'SETTING_NOT_IN_VERSION',
          `${name} does not exist in PostgreSQL ${identity.serverVersion}`,
          { details: [{ name }] },
        );
      }
      const suggestion = closest(name, config.settingsAllowList);
      throw new AgentError(
        'UNKNOWN_SETTING',
        `unknown setting '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
        {
          details: [{ name, ...(suggestion ? { suggestion } : {}) }],
        },
      );
    }
    if (row.context === 'internal')
      throw new AgentError('NOT_SETTABLE', `${name} is fixed when the cluster is built and cannot be set`, {
        details: [{ name }],
      });
    if (!config.settingsAllowList.includes(name)) {
      throw new AgentError(
        'SETTING_NOT_ALLOWED',
        `${name} is not in the agent's settings allow-list; add it to settingsAllowList in the agent config if the agent should manage it`,
        {
          details: [{ name }],
        },
      );
    }
    const value = bundle.settings[name] as GucValue;
    const winner = winners.get(name);
    const fileValue = winner?.setting != null ? normaliseFileValue(row, winner.setting) : null;
    let to = normalise(row, value);
    if (CAPACITY_SETTINGS.includes(name)) {
      const kept = capacityFloor(name, to, row.setting, fileValue, floors.has(name), mayLower.has(name));
      if (kept !== null) {
        capacityChecks.push({
          id: `capacity_${name}`,
          status: 'pass',
          detail: `${name} stays ${kept}: the bundle needs at least ${to}, and capacity is never lowered`,
        });
        to = kept;
      }
    }
    desired.set(name, { normalised: to, context: row.context });
    const running =
      row.vartype === 'string' && name === 'shared_preload_libraries'
        ? row.setting
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .join(', ')
        : row.setting;
    const effective = fileValue ?? running;
    if (row.context === 'postmaster' && running !== to) restartPending.push(name);
    if (effective === to) continue;
    changes.push({
      name,
      from: running,
      fileValue,
      to,
      unit: row.unit,
      context: row.context,
      effect: row.context === 'postmaster' ? 'restart' : 'reload',
      sql: alterSystemSql(name, to),
    });
  }
  return { changes, desired, restartPending, rows, capacityChecks };
}

/**
 * A capacity setting below the server's current value (running, or waiting in the files for a restart):
 * a floor keeps the current value (returned); a value the plan lets go lower passes (null); anything
 * else is refused.
 */
function capacityFloor(
  name: string,
  to: string,
  running: string,
  fileValue: string | null,
  floor: boolean,
  mayLower: boolean,
): string | null {
  const current = Math.max(Number(running), fileValue === null ? Number.NEGATIVE_INFINITY : Number(fileValue));
  if (!(Number(to) < current)) return null;
  if (floor) return String(current);
  if (mayLower) return null;
  throw new AgentError(
    'CAPACITY_LOWERED',
    `${name} = ${to} is below the server's current ${current}; lowering capacity can break standbys and tools already connected: keep it, or lower it on purpose: source.capacity_may_lower in the plan (capacity.mayLower in the bundle)`,
    { details: [{ name, desired: Number(to), current, running: Number(running), file: fileValue }] },
  );
}

const STANDBY_SENSITIVE = [
  'max_connections',
  'max_worker_processes',
  'max_wal_senders',
  'max_prepared_transactions',
  'max_locks_per_transaction',
];

export async function crossChecks(
  db: Db,
  desired: ReadonlyMap<string, { normalised: string }>,
  running: ReadonlyMap<string, string>,
  v: number,
): Promise<Check[]> {
  const checks: Check[] = [];
  db.count('slot_counts');
  const counts = (await db.query<{ slots_used: number; logical_slots: number }>(slotCountsSql))[0]!;
  const maxSlots = desired.get('max_replication_slots');
  if (maxSlots && Number(maxSlots.normalised) < counts.slots_used) {
    throw new AgentError(
      'SLOT_LIMIT_BELOW_USAGE',
      `max_replication_slots = ${maxSlots.normalised} is below the ${counts.slots_used} slots that exist (the next start would fail)`,
      { details: [{ desired: Number(maxSlots.normalised), used: counts.slots_used }] },
    );
  }
  checks.push({ id: 'slot_headroom', status: 'pass', detail: `${counts.slots_used} slots exist` });
  const walLevel = desired.get('wal_level');
  if (walLevel && walLevel.normalised !== 'logical' && counts.logical_slots > 0) {
    throw new AgentError(
      'WAL_LEVEL_CONFLICT_LOGICAL_SLOTS',
      `wal_level = ${walLevel.normalised} while ${counts.logical_slots} logical slots exist (the next start would be FATAL)`,
      { details: [{ logicalSlots: counts.logical_slots }] },
    );
  }
  // A hot standby refuses to run with lower values than its primary (Patroni #633): never lower them
  // on a primary that has physical standbys streaming.
  const lowered = STANDBY_SENSITIVE.filter((name) => {
    const want = desired.get(name);
    return want !== undefined && running.get(name) !== undefined && Number(want.normalised) < Number(running.get(name));
  });
  if (lowered.length > 0) {
    const standbys = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_replication r
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots s WHERE s.slot_type = 'logical' AND s.active_pid = r.pid)`,
    );
    if ((standbys[0]?.n ?? 0) > 0) {
      throw new AgentError(
        'STANDBY_SENSITIVE_PARAM',
        `lowering ${lowered.join(', ')} on a primary with ${standbys[0]!.n} physical standby connection(s) would stop them from running hot standby`,
        {
          details: lowered.map((name) => ({
            name,
            running: running.get(name),
            desired: desired.get(name)!.normalised,
          })),
        },
      );
    }
  }
  const libs = desired.get('shared_preload_libraries');
  if (libs && libs.normalised !== '') {
    const sql = pkglibdirSql(v);
    const dir = sql ? (await db.query<{ setting: string }>(sql))[0]?.setting : undefined;
    if (dir) {
      for (const lib of libs.normalised.split(', ')) {
        const file = lib.includes('/') ? lib : join(dir, lib.endsWith('.so') ? lib : `${lib}.so`);
        if (!existsSync(file)) {
          throw new AgentError(
            'LIBRARY_NOT_FOUND',
            `shared_preload_libraries names '${lib}', but ${file} does not exist (the next start would fail)`,
            {
              details: [{ library: lib, path: file }],
            },
          );
        }
      }
      checks.push({ id: 'preload_libraries_present', status: 'pass', detail: `found in ${dir}` });
    } else {
      checks.push({
        id: 'preload_libraries_present',
        status: 'warn',
        detail: 'PKGLIBDIR unknown; libraries not checked',
      });
    }
  }
  return checks;
}
