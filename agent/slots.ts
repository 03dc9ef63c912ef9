// Replication slots: the list (cached, single-flight, so any request rate costs at most one catalog query
// per interval), guarded drop and explicit creation.

import type { AgentReply } from '../contracts/agent-api/routes.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { createLogicalSlotSql, currentLsnBytesSql, guardedDropSql, slotsSql } from './pg/sql.js';
import { forgetClaim, isClaimed } from './slot-claims.js';

export interface SlotRow {
  slot_name: string;
  plugin: string | null;
  slot_type: string;
  database: string | null;
  temporary: boolean | null;
  active: boolean;
  active_pid: number | null;
  restart_lsn: string | null;
  confirmed_flush_lsn: string | null;
  current_lsn: string | null;
  current_lsn_bytes: string | null;
  retained_wal_bytes: string | null;
  confirmed_lag_bytes: string | null;
  confirmed_flush_lsn_bytes: string | null;
  wal_status: string | null;
  safe_wal_size: string | null;
  two_phase: boolean | null;
  conflicting: boolean | null;
  inactive_since: string | null;
  invalidation_reason: string | null;
  walsender_state: string | null;
  client_addr: string | null;
}

/** One slot as the agent API answers it (contracts/agent-api/responses.ts, slotInfo). */
export type SlotInfo = AgentReply<'slot'>;

export interface SlotsSnapshot {
  readonly currentLsn: string | null;
  readonly currentLsnBytes: number | null;
  readonly serverVersionNum: number;
  readonly capabilities: {
    readonly confirmedFlushLsn: boolean;
    readonly walStatus: boolean;
    readonly twoPhase: boolean;
    readonly conflicting: boolean;
    readonly inactiveSince: boolean;
  };
  readonly slots: readonly SlotInfo[];
  readonly takenAt: number;
}

const num = (text: string | null) => (text === null ? null : Number(text));

export function toSlotInfo(row: SlotRow, observedInactiveSince: string | null): SlotInfo {
  return {
    slotName: row.slot_name,
    slotType: row.slot_type === 'physical' ? 'physical' : 'logical',
    plugin: row.plugin,
    database: row.database,
    temporary: row.temporary,
    active: row.active,
    activePid: row.active_pid,
    restartLsn: row.restart_lsn,
    confirmedFlushLsn: row.confirmed_flush_lsn,
    retainedWalBytes: num(row.retained_wal_bytes),
    confirmedLagBytes: num(row.confirmed_lag_bytes),
    walStatus: row.wal_status,
    safeWalSizeBytes: num(row.safe_wal_size),
    twoPhase: row.two_phase,
    conflicting: row.conflicting,
    inactiveSince: row.inactive_since,
    invalidationReason: row.invalidation_reason,
    observedInactiveSince,
    walsender: row.active ? { state: row.walsender_state, clientAddr: row.client_addr } : null,
  };
}

export function capabilitiesOf(v: number): SlotsSnapshot['capabilities'] {
  return {
    confirmedFlushLsn: v >= 90600,
    walStatus: v >= 130000,
    twoPhase: v >= 140000,
    conflicting: v >= 160000,
    inactiveSince: v >= 170000,
  };
}

const inflight = new WeakMap<AgentContext, Promise<SlotsSnapshot>>();
const cached = new WeakMap<AgentContext, SlotsSnapshot>();

async function querySlots(ctx: AgentContext): Promise<SlotsSnapshot> {
  const v = await ctx.db.serverVersionNum();
  ctx.db.count('slots');
  const rows = await ctx.db.query<SlotRow>(slotsSql(v));
  const now = new Date().toISOString();
  const names = new Set(rows.map((r) => r.slot_name));
  for (const name of ctx.observedInactive.keys()) if (!names.has(name)) ctx.observedInactive.delete(name);
  const slots = rows.map((row) => {
    if (row.active) ctx.observedInactive.delete(row.slot_name);
    else if (!ctx.observedInactive.has(row.slot_name)) ctx.observedInactive.set(row.slot_name, now);
    return toSlotInfo(row, row.active ? null : (ctx.observedInactive.get(row.slot_name) ?? null));
  });
  const first = rows[0];
  const current = first ? { lsn: first.current_lsn, bytes: num(first.current_lsn_bytes) } : await currentLsn(ctx, v);
  return {
    currentLsn: current.lsn,
    currentLsnBytes: current.bytes,
    serverVersionNum: v,
    capabilities: capabilitiesOf(v),
    slots,
    takenAt: Date.now(),
  };
}

async function currentLsn(ctx: AgentContext, v: number): Promise<{ lsn: string | null; bytes: number | null }> {
  const rows = await ctx.db.query<{ lsn: string; bytes: string }>(currentLsnBytesSql(v));
  return { lsn: rows[0]?.lsn ?? null, bytes: num(rows[0]?.bytes ?? null) };
}

/** The slot list, at most `cache.slotsMs` old; concurrent callers share one query. */
export async function listSlots(ctx: AgentContext, maxAgeMs = ctx.config.cache.slotsMs): Promise<SlotsSnapshot> {
  const hit = cached.get(ctx);
  if (hit && Date.now() - hit.takenAt <= maxAgeMs) return hit;
  const running = inflight.get(ctx);
  if (running) return running;
  // Only the query still current may fill the cache: one that was running when a drop or create
  // invalidated it would put the old list back.
  const pending: Promise<SlotsSnapshot> = querySlots(ctx)
    .then((snapshot) => {
      if (inflight.get(ctx) === pending) cached.set(ctx, snapshot);
      return snapshot;
    })
    .finally(() => {
      if (inflight.get(ctx) === pending) inflight.delete(ctx);
    });
  inflight.set(ctx, pending);
  return pending;
}

export function invalidateSlots(ctx: AgentContext): void {
  cached.delete(ctx);
  inflight.delete(ctx);
}

export const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

export function assertSlotName(name: string): void {
  if (!SLOT_NAME.test(name)) {
    throw new AgentError(
      'INVALID_SLOT_NAME',
      `'${name}' is not a valid slot name (lower-case letters, digits and _; at most 63)`,
    );
  }
}

/**
 * A slot the agent may create or drop without force: an allowed prefix, a slot of the applied bundle,
 * or one the executor claimed for its plan (agent/slot-claims.ts).
 */
async function isManagedSlot(ctx: AgentContext, name: string): Promise<boolean> {
  if (ctx.config.slots.dropPrefixes.some((prefix) => name.startsWith(prefix))) return true;
  if (await isClaimed(ctx, name)) return true;
  const applied = await ctx.state.readApplied();
  return applied?.slots.includes(name) ?? false;
}

export async function dropSlot(
  ctx: AgentContext,
  name: string,
  body: { confirmSlotName?: string; force?: boolean; terminateActive?: boolean; reason?: string },
  principal: Principal,
): Promise<AgentReply<'slotDrop'>> {
  assertSlotName(name);
  if (body.confirmSlotName !== name) {
    throw new AgentError('CONFIRMATION_REQUIRED', `type the slot name back in confirmSlotName to drop '${name}'`);
  }
  const allowed = await isManagedSlot(ctx, name);
  const audit = {
    kind: 'slot_drop',
    principal: principal.tokenId,
    slot: name,
    force: body.force === true,
    reason: body.reason ?? null,
  };
  if (!allowed && body.force !== true) {
    await ctx.state.audit({ ...audit, result: 'refused', errorCode: 'SLOT_NOT_ALLOWED' });
    throw new AgentError(
      'SLOT_NOT_ALLOWED',
      `'${name}' matches no allowed prefix (${ctx.config.slots.dropPrefixes.join(', ')}), is not a bundle slot and no plan claimed it; pass force to drop it`,
    );
  }
  const before = (await listSlots(ctx, 0)).slots.find((s) => s.slotName === name);
  if (before?.slotType === 'physical' && body.force !== true) {
    throw new AgentError(
      'SLOT_NOT_ALLOWED',
      `'${name}' is a physical slot (a standby or backup tool); pass force to drop it`,
    );
  }
  if (before?.active && body.terminateActive === true) {
    if (body.force !== true) throw new AgentError('CONFIRMATION_REQUIRED', 'terminateActive needs force: true as well');
    await terminateWalsender(ctx, name);
  }
  let rows: { slot_type: string; active: boolean; active_pid: number | null; dropped: boolean }[];
  try {
    rows = await ctx.db.query(guardedDropSql, [name]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '55006') throw new AgentError('SLOT_ACTIVE', `'${name}' became active while being dropped`);
    if (code === '42704') throw new AgentError('SLOT_NOT_FOUND', `no replication slot '${name}'`);
    throw error;
  } finally {
    invalidateSlots(ctx);
  }
  const row = rows[0];
  if (!row) throw new AgentError('SLOT_NOT_FOUND', `no replication slot '${name}'`);
  if (!row.dropped) {
    await ctx.state.audit({ ...audit, result: 'refused', errorCode: 'SLOT_ACTIVE', activePid: row.active_pid });
    throw new AgentError('SLOT_ACTIVE', `'${name}' is active (pid ${row.active_pid}); stop its consumer first`, {
      details: [{ activePid: row.active_pid }],
    });
  }
  await forgetClaim(ctx, name);
  await ctx.state.audit({
    ...audit,
    result: 'dropped',
    restartLsn: before?.restartLsn ?? null,
    confirmedFlushLsn: before?.confirmedFlushLsn ?? null,
  });
  return {
    dropped: true,
    changed: true,
    slotName: name,
    freedWalBytesEstimate: before?.retainedWalBytes ?? null,
    restartLsn: before?.restartLsn ?? null,
    confirmedFlushLsn: before?.confirmedFlushLsn ?? null,
  };
}

/** Ends the walsender holding the slot and waits (briefly) until the slot is released. */
async function terminateWalsender(ctx: AgentContext, name: string): Promise<void> {
  await ctx.db.query(
    'SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL',
    [name],
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    const rows = await ctx.db.query<{ active: boolean }>(
      'SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = $1',
      [name],
    );
    if (!rows[0]?.active) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function createSlot(
  ctx: AgentContext,
  body: { name: string; database: string; plugin?: string },
  principal: Principal,
): Promise<AgentReply<'slotCreate'>> {
  assertSlotName(body.name);
  if (!(await isManagedSlot(ctx, body.name))) {
    throw new AgentError(
      'SLOT_NOT_ALLOWED',
      `'${body.name}' matches no allowed prefix (${ctx.config.slots.dropPrefixes.join(', ')}) and is not a bundle slot; name it with one of those prefixes or add the prefix to slots.dropPrefixes in the agent config`,
    );
  }
  const plugin = body.plugin ?? 'test_decoding';
  try {
    const rows = await ctx.db.withClient(
      (client) => client.query<{ slot_name: string; lsn: string }>(createLogicalSlotSql(), [body.name, plugin]),
      body.database,
    );
    await ctx.state.audit({
      kind: 'slot_create',
      principal: principal.tokenId,
      slot: body.name,
      database: body.database,
      plugin,
      result: 'created',
    });
    return {
      created: true,
      changed: true,
      slotName: rows.rows[0]!.slot_name,
      lsn: rows.rows[0]!.lsn,
      plugin,
      database: body.database,
    };
  } catch (error) {
    if ((error as { code?: string }).code === '42710')
      throw new AgentError('SLOT_EXISTS', `replication slot '${body.name}' already exists`);
    if ((error as { code?: string }).code === '3D000')
      throw new AgentError('BAD_REQUEST', `database '${body.database}' does not exist`);
    throw error;
  } finally {
    invalidateSlots(ctx);
  }
}
