// `pgferry init`: a commented starter plan from a catalog snapshot. It compiles with zero errors against
// that snapshot: what DMS cannot move is excluded with the reason beside it, LOB modes come from the
// measured sizes, tasks are split by size, the replication budget counts what the host already uses.
// Values only a person can know (target address, network, secret locations) are marked TODO and hold
// placeholders that parse; secrets are references, never values. It never writes waivers: warnings are
// left for `pgferry validate --catalog` to show.

import { literalPattern } from '../compiler/knowledge/dms-wildcard.js';
import { compareEngineVersions, KNOWN_ENGINE_VERSIONS, majorSupport } from '../compiler/knowledge/engine-versions.js';
import type { CatalogDatabase, CatalogSnapshot } from '../contracts/catalog.js';
import { compareText } from '../contracts/compare.js';
import { majorName, versionName } from '../contracts/pg-version.js';
import { type DatabaseSelection, qualified, selectTables } from './selection.js';
import { LARGE_TABLE_BYTES, type LobDecision, lobDecision, splitTasks, type TaskPlan } from './tasks.js';

export interface InitOptions {
  readonly cdc: boolean;
  /** Plan name (lower-case letters, digits, hyphens). */
  readonly name: string;
  /** The source address when known (init from a live connection), else a TODO placeholder. */
  readonly sourceHost: string | null;
  readonly sourcePort: number | null;
}

const setting = (snapshot: CatalogSnapshot, name: string) =>
  snapshot.host.settings.find((s) => s.name === name)?.setting ?? null;

/** `18.4` from `18.4 (Debian 18.4-1.pgdg120+1)`; `9.6.24` stays. */
export function versionText(snapshot: CatalogSnapshot): string {
  const match = /^(\d+(?:\.\d+){1,2})/.exec(snapshot.cluster.serverVersion);
  if (match) return match[1]!;
  return versionName(snapshot.serverVersionNum);
}

/** The newest engine AWS still offers that reads this source major and writes the same major. */
function engineFor(versionNum: number): string {
  const support = majorSupport(majorName(versionNum));
  const floor = [support?.minSource, support?.minTarget].filter((v): v is string => typeof v === 'string');
  const usable = KNOWN_ENGINE_VERSIONS.filter(
    (e) => !e.retired && floor.every((min) => compareEngineVersions(e.version, min) >= 0),
  );
  return (usable.at(-1) ?? KNOWN_ENGINE_VERSIONS.at(-1)!).version;
}

/** Scalars as YAML: plain when unambiguous, else a JSON string (valid YAML). */
function q(value: string): string {
  const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

const flow = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${n} B`;
}

const taskIdPart = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';

interface DatabasePlan {
  readonly database: CatalogDatabase;
  readonly selection: DatabaseSelection;
  readonly tasks: readonly { readonly id: string; readonly plan: TaskPlan; readonly lob: LobDecision }[];
}

function planDatabase(name: string, database: CatalogDatabase, cdc: boolean, used: Set<string>): DatabasePlan {
  const selection = selectTables(database, cdc);
  const tasks = selection.selected.length === 0 ? [] : splitTasks(selection.selected);
  return {
    database,
    selection,
    tasks: tasks.map((plan) => {
      let id = `${name}-${taskIdPart(database.name)}-${taskIdPart(plan.suffix)}`.slice(0, 200);
      for (let n = 2; used.has(id); n++) id = `${id}-${n}`;
      used.add(id);
      return { id, plan, lob: lobDecision(plan.tables) };
    }),
  };
}

function includesOf(task: TaskPlan, selection: DatabaseSelection): { include: string[]; exclude: string[] } {
  if (!task.catchAll) {
    return { include: task.tables.map((t) => `${literalPattern(t.schema)}.${literalPattern(t.name)}`), exclude: [] };
  }
  // Every schema with a movable table: the excludes below take out what other tasks move.
  const schemas = [...new Set(selection.selected.map((t) => t.schema))];
  const include = schemas.sort(compareText).map((schema) => `${literalPattern(schema)}.%`);
  return { include, exclude: [] };
}

export function renderStarterPlan(snapshot: CatalogSnapshot, options: InitOptions): string {
  const v = snapshot.serverVersionNum;
  const version = versionText(snapshot);
  const used = new Set<string>();
  const databases = [...snapshot.databases].sort((a, b) => compareText(a.name, b.name));
  const plans = databases.map((db) => planDatabase(options.name, db, options.cdc, used));
  const migrationType = options.cdc ? 'full-load-and-cdc' : 'full-load';
  const cdcTasks = options.cdc ? plans.reduce((n, p) => n + p.tasks.length, 0) : 0;
  const slotsInUse = snapshot.host.replicationSlots.length;
  const sendersInUse = snapshot.host.walSenders.length;
  const scram = v >= 100000 && setting(snapshot, 'password_encryption') === 'scram-sha-256';
  const ssl = setting(snapshot, 'ssl') === 'on';
  const engine = engineFor(v);
  const name = options.name;
  const host = options.sourceHost;
  const out: string[] = [];
  const line = (text = '') => out.push(text);

  // Header: what was found and every decision taken.
  line('# yaml-language-server: $schema=../schema/plan.schema.json');
  line('#');
  line(`# Starter plan written by \`pgferry init\` from a catalog snapshot of PostgreSQL ${version}`);
  line(`# (taken ${snapshot.capturedAt}). Review it, fill in every TODO, then:`);
  line(`#   pgferry validate THIS.yaml --catalog SNAPSHOT.json   (warnings are left for you to decide)`);
  line('#');
  line('# Found:');
  for (const p of plans) {
    const tables = p.database.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned-table');
    line(
      `#   ${p.database.name}: ${bytes(p.database.sizeBytes)}, ${tables.length} tables, ${p.database.sequences.length} sequences, ${p.database.extensions.length} extensions, ${p.database.largeObjects.count} large objects, encoding ${p.database.encoding}`,
    );
  }
  line(
    `#   host: ${slotsInUse} replication slot(s) and ${sendersInUse} WAL sender(s) in use, wal_level ${setting(snapshot, 'wal_level') ?? 'unknown'}, ${snapshot.host.longTransactions.length} transaction(s) open over ${snapshot.host.longTransactionSeconds} s, ${snapshot.host.preparedTransactions} prepared`,
  );
  const lob = snapshot.lobSampling;
  line(
    lob.maxTables > 0
      ? `#   LOB sizes measured on at most ${lob.rowCap} rows of the ${lob.maxTables} largest tables per database (${lob.method}); ${lob.tablesOverBudget} table(s) over that budget, ${lob.tablesWithoutSelect} unreadable`
      : '#   LOB sizes were not measured (catalog --no-lob): the LOB modes below are DMS defaults',
  );
  line('#');
  line('# Decisions:');
  line(
    `#   - ${options.cdc ? 'full load and CDC (--cdc): one replication slot and WAL sender per task' : 'full load only (no --cdc): no slot, the source must stay quiet during the copy'}`,
  );
  line(
    `#   - ${plans.reduce((n, p) => n + p.tasks.length, 0)} task(s); tables of ${bytes(LARGE_TABLE_BYTES)} or more get a task of their own, the rest is split into tasks of about 200 GB`,
  );
  line(
    `#   - tables DMS cannot move are excluded, each with its reason beside the exclude (${plans.reduce((n, p) => n + p.selection.excluded.length, 0)} in all)`,
  );
  line(
    `#   - replication already in use is declared (existing_replication), so pgferry sizes max_replication_slots and max_wal_senders above it${cdcTasks > 0 ? ` (${slotsInUse} + ${cdcTasks} slots needed)` : ''}`,
  );
  line(`#   - DMS engine ${engine}: the newest pgferry knows that supports PostgreSQL ${majorName(v)}`);
  line(
    `#   - auth_method ${scram ? 'scram-sha-256 (password_encryption is scram-sha-256)' : 'md5'}${ssl ? '; ssl: true (the source has ssl = on)' : ''}`,
  );
  line('#   - secrets are references to fill in (SSM parameters here); no value is ever written to a plan');
  line('#   - no waivers: every warning is yours to read and decide');
  line();
  line('version: 1');
  line(`name: ${q(name)}`);
  line(
    `description: ${q(`Move ${databases.map((d) => d.name).join(', ')} from PostgreSQL ${version} to Amazon RDS (starter plan from pgferry init).`)}`,
  );
  line();
  line('source:');
  line(`  host: ${q(host ?? 'source.example.internal')}${host ? '' : ' # TODO: the address DMS connects to'}`);
  line(`  port: ${options.sourcePort ?? 5432}`);
  line(`  version: "${version}"`);
  line(`  databases: ${flow(databases.map((d) => d.name))}`);
  line('  migration_user:');
  line('    name: dms_user');
  line(`    password: { ssm: /pgferry/${name}/source/dms_user } # TODO: create this SecureString parameter`);
  line(
    `    superuser: ${options.cdc ? 'true # CDC on a self-managed source needs a superuser (dms.md §1.2)' : 'false'}`,
  );
  line('    create: true');
  line(`  auth_method: ${scram ? 'scram-sha-256' : 'md5'}`);
  if (ssl) line('  ssl: true');
  line('  existing_replication: # measured by pgferry catalog');
  line(
    `    slots: ${slotsInUse}${slotsInUse > 0 ? ` # ${snapshot.host.replicationSlots.map((s) => s.name).join(', ')}` : ''}`,
  );
  line(`    wal_senders: ${sendersInUse}`);
  line('  write_roles: [app_writer] # TODO: the application roles that write (fenced at cutover)');
  line('  agent:');
  line(`    url: ${q(`https://${host ?? 'source.example.internal'}:8443`)} # TODO: where pgferry-agent listens`);
  line(`    token: { ssm: /pgferry/${name}/agent/token } # TODO`);
  line();
  line('target:');
  line('  kind: rds');
  line(`  host: ${q(`${name}.TODO.rds.amazonaws.com`)} # TODO: the RDS endpoint`);
  line('  port: 5432');
  line(`  version: "${version}" # TODO: the RDS version (same major or newer)`);
  line('  admin_user:');
  line('    name: postgres');
  line(`    password: { ssm: /pgferry/${name}/target/postgres } # TODO`);
  line('  migration_user:');
  line('    name: dms_load');
  line(`    password: { ssm: /pgferry/${name}/target/dms_load } # TODO`);
  line('  fk_strategy: after_connect_script');
  line();
  line('dms:');
  line('  region: eu-west-1 # TODO: your region');
  line('  replication_instance:');
  line(`    identifier: ${q(`${name}-ri`)}`);
  line('    class: dms.r5.large # TODO: size for your load');
  line('    allocated_storage: 100');
  line(`    engine_version: "${engine}"`);
  line(`    subnet_group: ${q(`${name}-dms-subnets`)} # TODO`);
  line('    security_groups: [] # TODO');
  line('    source_cidrs: [10.0.0.0/24] # TODO: the subnets the replication instance connects from');
  line('  credentials:');
  line('    mode: ssm');
  line('  tasks:');
  for (const p of plans) {
    if (p.tasks.length === 0) {
      line(`    # database ${p.database.name}: no table DMS can move (see the exclusions below), no task`);
    }
    for (const task of p.tasks) {
      const { include } = includesOf(task.plan, p.selection);
      const others = p.tasks.filter((t) => t !== task).flatMap((t) => t.plan.tables);
      const bytesOf = task.plan.tables.reduce((n, t) => n + t.sizeBytes, 0);
      line(`    - id: ${q(task.id)}`);
      line(
        `      # ${task.plan.tables.length} table(s), ${bytes(bytesOf)}${task.plan.catchAll && p.tasks.length > 1 ? '; the catch-all: tables created later land here' : ''}`,
      );
      if (task.plan.dedicated) {
        line(
          `      # ${qualified(task.plan.tables[0]!)} is very large (${bytes(task.plan.tables[0]!.sizeBytes)}): DMS parallel load (table-settings "parallel-load")`,
        );
        line(
          '      # would split it by ranges; the plan language has no table settings yet, so it gets a task of its own.',
        );
      }
      line(`      database: ${q(p.database.name)}`);
      line(`      migration_type: ${migrationType}`);
      line('      tables:');
      line(`        include: ${flow(include)}`);
      if (task.plan.catchAll) {
        const excluded = [
          ...others.map((t) => ({ table: t, reason: 'moved by another task' })),
          ...p.selection.excluded,
        ].filter((e) => include.some((pattern) => pattern === `${literalPattern(e.table.schema)}.%`));
        excluded.sort((a, b) => compareText(qualified(a.table), qualified(b.table)));
        if (excluded.length > 0) {
          line('        exclude:');
          for (const e of excluded) {
            line(
              `          - ${JSON.stringify(`${literalPattern(e.table.schema)}.${literalPattern(e.table.name)}`)} # ${e.reason}`,
            );
          }
        }
        // Left out without an exclude (their schema is not selected at all): still say why.
        for (const e of p.selection.excluded) {
          if (include.includes(`${literalPattern(e.table.schema)}.%`)) continue;
          line(`        # not selected: ${qualified(e.table)}: ${e.reason}`);
        }
      }
      if (task.lob.mode === 'default') line(`      # LOB: ${task.lob.note}`);
      else {
        line(`      # ${task.lob.note}`);
        line(
          task.lob.mode === 'limited'
            ? `      lob: { mode: limited, max_size_kb: ${task.lob.maxSizeKb} }`
            : '      lob: { mode: full, chunk_size_kb: 64 }',
        );
      }
      if (options.cdc) line('      heartbeat: { enabled: true } # keeps the slot moving on a quiet database');
    }
  }
  line();
  line('cutover:');
  line('  sequences:');
  line('    margin: 1000');
  line('  cleanup:');
  line('    dms_resources: keep');
  return `${out.join('\n')}\n`;
}
