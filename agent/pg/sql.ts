// Version-gated SQL as data (reference/agent.md §1.5). Each query is chosen by server_version_num; the
// bands are 9.5, 9.6, 10–12, 13–15, 16, 17+. Every object is schema-qualified so a hostile search_path
// cannot redirect it. Unit tests pin the text per band and parse recorded 9.5/9.6 rows.

export type VersionBand = '9.5' | '9.6' | '10-12' | '13-15' | '16' | '17+';

export function versionBand(versionNum: number): VersionBand {
  if (versionNum < 90600) return '9.5';
  if (versionNum < 100000) return '9.6';
  if (versionNum < 130000) return '10-12';
  if (versionNum < 160000) return '13-15';
  if (versionNum < 170000) return '16';
  return '17+';
}

const atLeast = (v: number, min: number) => v >= min;

function walFunctions(v: number) {
  return atLeast(v, 100000)
    ? {
        current: 'pg_catalog.pg_current_wal_lsn()',
        replay: 'pg_catalog.pg_last_wal_replay_lsn()',
        diff: 'pg_catalog.pg_wal_lsn_diff',
      }
    : {
        current: 'pg_catalog.pg_current_xlog_location()',
        replay: 'pg_catalog.pg_last_xlog_replay_location()',
        diff: 'pg_catalog.pg_xlog_location_diff',
      };
}

/** The WAL position this server is at: written on a primary, replayed on a standby. */
function currentLsnExpr(v: number): string {
  const f = walFunctions(v);
  return `CASE WHEN pg_catalog.pg_is_in_recovery() THEN ${f.replay} ELSE ${f.current} END`;
}

export function currentLsnSql(v: number): string {
  return `SELECT (${currentLsnExpr(v)})::text AS current_lsn`;
}

/** The current LSN with its byte offset, for a slot list that has no row to carry them. */
export function currentLsnBytesSql(v: number): string {
  return `SELECT l::text AS lsn, ${walFunctions(v).diff}(l, '0/0')::bigint AS bytes FROM (SELECT ${currentLsnExpr(v)} AS l) s`;
}

export function identitySql(v: number): string {
  const systemId = atLeast(v, 90600)
    ? '(SELECT system_identifier::text FROM pg_catalog.pg_control_system())'
    : 'NULL::text';
  return `SELECT pg_catalog.current_setting('server_version_num')::int AS server_version_num,
       pg_catalog.current_setting('server_version') AS server_version,
       pg_catalog.pg_is_in_recovery() AS in_recovery,
       pg_catalog.pg_postmaster_start_time()::text AS postmaster_start_time,
       pg_catalog.current_setting('data_directory') AS data_directory,
       pg_catalog.current_setting('config_file') AS config_file,
       pg_catalog.current_setting('hba_file') AS hba_file,
       ${systemId} AS system_identifier,
       (${currentLsnExpr(v)})::text AS current_lsn`;
}

export const settingsSql = `SELECT name, setting, unit, vartype, context, source, sourcefile, sourceline,
       boot_val, reset_val, min_val, max_val, enumvals, pending_restart
FROM pg_catalog.pg_settings
WHERE name = ANY($1::text[])
ORDER BY name`;

/** Flagged settings with the value the files now give them (pending_restart is sticky; see apply.ts). */
export const pendingRestartSql = `WITH f AS (
  SELECT DISTINCT ON (name) name, setting AS file_value FROM pg_catalog.pg_file_settings
  WHERE name IS NOT NULL AND error IS DISTINCT FROM 'syntax error' ORDER BY name, seqno DESC)
SELECT s.name, s.setting, s.unit, s.vartype, s.context, s.boot_val, s.min_val, s.max_val, s.enumvals, f.file_value
FROM pg_catalog.pg_settings s LEFT JOIN f USING (name)
WHERE s.pending_restart
ORDER BY s.name`;

/** The last file entry per name wins, like the server (Q5 winner check). */
export const fileWinnersSql = `SELECT DISTINCT ON (name) name, sourcefile, sourceline, setting, error
FROM pg_catalog.pg_file_settings WHERE name = ANY($1::text[]) ORDER BY name, seqno DESC`;

export const fileErrorsSql = `SELECT f.seqno, f.sourcefile, f.sourceline, f.name, f.setting, f.error, s.context
FROM pg_catalog.pg_file_settings f
LEFT JOIN pg_catalog.pg_settings s ON s.name = f.name
WHERE f.error IS NOT NULL
ORDER BY f.seqno`;

/** pg_hba_file_rules error rows; null before 10, where the agent's own parser is the only check. */
export function hbaErrorsSql(v: number): string | null {
  if (!atLeast(v, 100000)) return null;
  if (atLeast(v, 160000)) {
    return `SELECT file_name, line_number, error FROM pg_catalog.pg_hba_file_rules WHERE error IS NOT NULL ORDER BY file_name, line_number`;
  }
  return `SELECT NULL::text AS file_name, line_number, error FROM pg_catalog.pg_hba_file_rules WHERE error IS NOT NULL ORDER BY line_number`;
}

/** Q8: slots with both lag numbers; a column the major lacks is selected as NULL so rows have one shape. */
export function slotsSql(v: number): string {
  const f = walFunctions(v);
  const col = (min: number, expr: string, alias: string) =>
    atLeast(v, min) ? `${expr} AS ${alias}` : `NULL AS ${alias}`;
  return `WITH cur AS (
  SELECT ${currentLsnExpr(v)} AS lsn)
SELECT s.slot_name::text AS slot_name, s.plugin::text AS plugin, s.slot_type, s.database::text AS database,
       ${col(100000, 's.temporary', 'temporary')},
       s.active, s.active_pid,
       s.restart_lsn::text AS restart_lsn,
       ${col(90600, 's.confirmed_flush_lsn::text', 'confirmed_flush_lsn')},
       cur.lsn::text AS current_lsn,
       ${f.diff}(cur.lsn, '0/0')::bigint AS current_lsn_bytes,
       ${f.diff}(cur.lsn, s.restart_lsn)::bigint AS retained_wal_bytes,
       ${atLeast(v, 90600) ? `CASE WHEN s.slot_type = 'logical' THEN ${f.diff}(cur.lsn, s.confirmed_flush_lsn)::bigint END` : 'NULL::bigint'} AS confirmed_lag_bytes,
       ${atLeast(v, 90600) ? `${f.diff}(s.confirmed_flush_lsn, '0/0')::bigint` : 'NULL::bigint'} AS confirmed_flush_lsn_bytes,
       ${col(130000, 's.wal_status', 'wal_status')},
       ${col(130000, 's.safe_wal_size::bigint', 'safe_wal_size')},
       ${col(140000, 's.two_phase', 'two_phase')},
       ${col(160000, 's.conflicting', 'conflicting')},
       ${col(170000, 's.inactive_since::text', 'inactive_since')},
       ${col(170000, 's.invalidation_reason', 'invalidation_reason')},
       r.state AS walsender_state,
       r.client_addr::text AS client_addr
FROM pg_catalog.pg_replication_slots s
CROSS JOIN cur
LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid
ORDER BY s.slot_name`;
}

/** Q9: the guarded drop, one statement so there is no gap between the check and the drop. */
export const guardedDropSql = `WITH s AS (
  SELECT slot_name, slot_type, active, active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = $1),
d AS (
  SELECT true AS dropped, pg_catalog.pg_drop_replication_slot(slot_name) FROM s WHERE NOT active)
SELECT s.slot_type, s.active, s.active_pid, coalesce(d.dropped, false) AS dropped
FROM s LEFT JOIN d ON true`;

export const slotCountsSql = `SELECT (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int AS slots_used,
       (SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_type = 'logical')::int AS logical_slots,
       (SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE active AND slot_type = 'logical')::int AS active_logical_slots,
       pg_catalog.current_setting('max_replication_slots')::int AS slots_max,
       (SELECT count(*) FROM pg_catalog.pg_stat_replication)::int AS walsenders_used,
       pg_catalog.current_setting('max_wal_senders')::int AS walsenders_max`;

/** PKGLIBDIR from the server (9.6+); null on 9.5, where the agent falls back to `pg_config --pkglibdir`. */
export function pkglibdirSql(v: number): string | null {
  return atLeast(v, 90600) ? `SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR'` : null;
}

export function createLogicalSlotSql(): string {
  return `SELECT slot_name::text, lsn::text FROM pg_catalog.pg_create_logical_replication_slot($1, $2)`;
}

/** Settings that exist only in some majors, for a precise SETTING_NOT_IN_VERSION answer. */
export const VERSIONED_SETTINGS: Readonly<Record<string, { readonly from?: number; readonly until?: number }>> = {
  max_slot_wal_keep_size: { from: 130000 },
  wal_keep_size: { from: 130000 },
  wal_keep_segments: { until: 130000 },
  logical_decoding_work_mem: { from: 130000 },
  allow_alter_system: { from: 170000 },
};
