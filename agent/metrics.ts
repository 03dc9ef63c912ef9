// Prometheus exposition. Slot series use postgres_exporter's names (≤ v0.19 collector plus the built-in
// pg_replication_slots map) so existing dashboards work; agent series are pgferry_*. When PostgreSQL is
// down the endpoint still answers, with pgferry_pg_up 0.

import type { AgentContext } from './context.js';
import { slotCountsSql } from './pg/sql.js';
import { listSlots, type SlotsSnapshot } from './slots.js';

interface ServerFacts {
  readonly versionNum: number;
  readonly inRecovery: boolean;
  readonly pendingRestart: number;
  readonly slotsMax: number;
  readonly walSendersUsed: number;
  readonly walSendersMax: number;
  readonly takenAt: number;
}

const factsCache = new WeakMap<AgentContext, ServerFacts>();
const factsInflight = new WeakMap<AgentContext, Promise<ServerFacts>>();

/** Like the slot list: at most one refresh per cache interval, shared by concurrent scrapes. */
function serverFacts(ctx: AgentContext): Promise<ServerFacts> {
  const hit = factsCache.get(ctx);
  if (hit && Date.now() - hit.takenAt <= ctx.config.cache.slotsMs) return Promise.resolve(hit);
  let pending = factsInflight.get(ctx);
  if (!pending) {
    pending = queryServerFacts(ctx).finally(() => factsInflight.delete(ctx));
    factsInflight.set(ctx, pending);
  }
  return pending;
}

async function queryServerFacts(ctx: AgentContext): Promise<ServerFacts> {
  ctx.db.count('facts');
  const rows = await ctx.db.query<{ v: string; rec: boolean; pending: number }>(
    `SELECT pg_catalog.current_setting('server_version_num') AS v, pg_catalog.pg_is_in_recovery() AS rec,
            (SELECT count(*) FROM pg_catalog.pg_settings WHERE pending_restart)::int AS pending`,
  );
  const counts = (
    await ctx.db.query<{ slots_max: number; walsenders_used: number; walsenders_max: number }>(slotCountsSql)
  )[0]!;
  const facts = {
    versionNum: Number(rows[0]!.v),
    inRecovery: rows[0]!.rec,
    pendingRestart: rows[0]!.pending,
    slotsMax: counts.slots_max,
    walSendersUsed: counts.walsenders_used,
    walSendersMax: counts.walsenders_max,
    takenAt: Date.now(),
  };
  factsCache.set(ctx, facts);
  return facts;
}

export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

type Labels = Readonly<Record<string, string | null>>;

class Exposition {
  private readonly families = new Map<string, { help: string; type: string; samples: string[] }>();

  add(name: string, help: string, type: 'gauge' | 'counter', value: number, labels: Labels = {}): void {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, samples: [] };
      this.families.set(name, family);
    }
    const entries = Object.entries(labels).filter(([, v]) => v !== null);
    const text = entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v as string)}"`).join(',')}}` : '';
    family.samples.push(`${name}${text} ${Number.isFinite(value) ? value : 'NaN'}`);
  }

  render(): string {
    let out = '';
    for (const [name, family] of this.families) {
      out += `# HELP ${name} ${family.help}\n# TYPE ${name} ${family.type}\n${family.samples.join('\n')}\n`;
    }
    return out;
  }
}

/** At most this many slots get their own series; the rest are summed under slot_name="_other". */
const MAX_SLOT_SERIES = 200;

/** Slot series rendered once per snapshot: scrapes between two catalog queries reuse the text. */
const renderedSlots = new WeakMap<SlotsSnapshot, string>();

function slotText(snapshot: SlotsSnapshot): string {
  let text = renderedSlots.get(snapshot);
  if (text === undefined) {
    const m = new Exposition();
    slotSeries(m, snapshot);
    text = m.render();
    renderedSlots.set(snapshot, text);
  }
  return text;
}

function slotSeries(m: Exposition, snapshot: SlotsSnapshot): void {
  const current = snapshot.currentLsnBytes ?? Number.NaN;
  const shown = snapshot.slots.slice(0, MAX_SLOT_SERIES);
  for (const slot of shown) {
    const labels = {
      slot_name: slot.slotName,
      plugin: slot.plugin ?? '',
      slot_type: slot.slotType,
      database: slot.database ?? '',
    };
    m.add(
      'pg_replication_slot_slot_current_wal_lsn',
      'current WAL LSN as bytes (postgres_exporter)',
      'gauge',
      current,
      labels,
    );
    if (
      slot.active &&
      slot.confirmedFlushLsn !== null &&
      slot.retainedWalBytes !== null &&
      slot.confirmedLagBytes !== null
    ) {
      m.add(
        'pg_replication_slot_slot_confirmed_flush_lsn',
        'confirmed flush LSN as bytes, active slots only (postgres_exporter)',
        'gauge',
        current - slot.confirmedLagBytes,
        labels,
      );
    }
    m.add(
      'pg_replication_slot_slot_is_active',
      'whether the slot is active (postgres_exporter)',
      'gauge',
      slot.active ? 1 : 0,
      labels,
    );
    if (slot.safeWalSizeBytes !== null)
      m.add(
        'pg_replication_slot_safe_wal_size_bytes',
        'bytes of WAL before the slot is lost (postgres_exporter)',
        'gauge',
        slot.safeWalSizeBytes,
        labels,
      );
    if (slot.walStatus !== null)
      m.add('pg_replication_slot_wal_status', 'WAL availability of the slot (postgres_exporter)', 'gauge', 1, {
        ...labels,
        wal_status: slot.walStatus,
      });
    const builtin = { slot_name: slot.slotName, database: slot.database ?? '' };
    m.add(
      'pg_replication_slots_active',
      'whether the slot is active (postgres_exporter built-in)',
      'gauge',
      slot.active ? 1 : 0,
      builtin,
    );
    if (slot.retainedWalBytes !== null)
      m.add(
        'pg_replication_slots_pg_wal_lsn_diff',
        'current LSN minus restart_lsn, bytes (postgres_exporter built-in)',
        'gauge',
        slot.retainedWalBytes,
        builtin,
      );
    if (slot.retainedWalBytes !== null)
      m.add(
        'pgferry_replication_slot_retained_wal_bytes',
        'WAL the slot keeps on disk',
        'gauge',
        slot.retainedWalBytes,
        labels,
      );
    if (slot.confirmedLagBytes !== null)
      m.add(
        'pgferry_replication_slot_confirmed_lag_bytes',
        'current LSN minus confirmed_flush_lsn',
        'gauge',
        slot.confirmedLagBytes,
        labels,
      );
    m.add('pgferry_replication_slot_active', 'whether the slot is active', 'gauge', slot.active ? 1 : 0, labels);
  }
  const rest = snapshot.slots.slice(MAX_SLOT_SERIES);
  if (rest.length > 0) {
    const retained = rest.reduce((sum, s) => sum + (s.retainedWalBytes ?? 0), 0);
    m.add('pgferry_replication_slot_retained_wal_bytes', 'WAL the slot keeps on disk', 'gauge', retained, {
      slot_name: '_other',
      plugin: '',
      slot_type: '',
      database: '',
    });
  }
}

/**
 * A rendered page, kept per slot snapshot: scrapes between two catalog queries that find the same server
 * facts and counters get the same bytes, without building or encoding the page again (at 100 concurrent
 * scrapers the per-request page build was most of the agent's work). Its scrape duration is that of the
 * build that made it.
 */
interface Page {
  readonly facts: ServerFacts;
  readonly counters: string;
  readonly bytes: Buffer;
}
const pages = new WeakMap<SlotsSnapshot, Page>();

function countersKey(ctx: AgentContext): string {
  const { apply, restart, scrapeErrors } = ctx.counters;
  return JSON.stringify([apply, restart, scrapeErrors, [...ctx.db.queryCounts]]);
}

export async function renderMetrics(ctx: AgentContext): Promise<Buffer> {
  const started = process.hrtime.bigint();
  let read: [ServerFacts, SlotsSnapshot] | null = null;
  try {
    read = await Promise.all([serverFacts(ctx), listSlots(ctx)]);
  } catch {
    ctx.counters.scrapeErrors += 1;
  }
  if (read === null) return Buffer.from(renderPage(ctx, null, started));
  const [facts, snapshot] = read;
  const counters = countersKey(ctx);
  const kept = pages.get(snapshot);
  if (kept !== undefined && kept.facts === facts && kept.counters === counters) return kept.bytes;
  const bytes = Buffer.from(renderPage(ctx, read, started));
  pages.set(snapshot, { facts, counters, bytes });
  return bytes;
}

function renderPage(ctx: AgentContext, read: [ServerFacts, SlotsSnapshot] | null, started: bigint): string {
  const m = new Exposition();
  let slots = '';
  m.add('pgferry_up', 'the agent answers', 'gauge', 1);
  if (read !== null) {
    const [facts, snapshot] = read;
    m.add('pgferry_pg_up', 'PostgreSQL answered the last scrape', 'gauge', 1);
    m.add('pgferry_pg_server_version_num', 'server_version_num', 'gauge', facts.versionNum);
    m.add('pgferry_pg_in_recovery', 'the server is a standby', 'gauge', facts.inRecovery ? 1 : 0);
    m.add('pgferry_pg_pending_restart', 'a restart is pending', 'gauge', facts.pendingRestart > 0 ? 1 : 0);
    m.add('pgferry_pg_pending_restart_settings', 'settings waiting for a restart', 'gauge', facts.pendingRestart);
    m.add('pgferry_replication_slots_used', 'replication slots that exist', 'gauge', snapshot.slots.length);
    m.add('pgferry_replication_slots_max', 'max_replication_slots', 'gauge', facts.slotsMax);
    m.add('pgferry_wal_senders_used', 'walsenders running', 'gauge', facts.walSendersUsed);
    m.add('pgferry_wal_senders_max', 'max_wal_senders', 'gauge', facts.walSendersMax);
    slots = slotText(snapshot);
  } else {
    m.add('pgferry_pg_up', 'PostgreSQL answered the last scrape', 'gauge', 0);
  }
  for (const [result, count] of Object.entries(ctx.counters.apply)) {
    m.add('pgferry_config_apply_total', 'applies by result', 'counter', count, { result });
  }
  for (const [result, count] of Object.entries(ctx.counters.restart)) {
    m.add('pgferry_restart_total', 'restarts by result', 'counter', count, { result });
  }
  m.add('pgferry_scrape_errors_total', 'scrapes that could not reach PostgreSQL', 'counter', ctx.counters.scrapeErrors);
  for (const [label, count] of [...ctx.db.queryCounts].sort()) {
    m.add('pgferry_catalog_queries_total', 'catalog queries the agent sent, by purpose', 'counter', count, {
      query: label,
    });
  }
  m.add(
    'pgferry_scrape_duration_seconds',
    'time to build this page',
    'gauge',
    Number(process.hrtime.bigint() - started) / 1e9,
  );
  return slots + m.render();
}
