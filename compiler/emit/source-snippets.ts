// Human-reviewable snippets for the source host, rendered from the bundle (the agent applies the
// bundle; these show the same desired state in the files' own syntax).

import { stringify } from 'yaml';
import { type GucValue, hbaFields, type SourceBundle } from '../../contracts/bundle.js';
import { cdcTasks, pgPluginName } from '../model/names.js';
import type { Plan } from '../model/plan.js';
import { SETTING_REASONS } from './source-bundle.js';
import { renderTemplate } from './templates.js';

export function formatGuc(value: GucValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : value.join(',');
  return `'${text.replace(/'/g, "''")}'`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

export function postgresqlConfSnippet(plan: Plan, bundle: SourceBundle): string {
  const names = Object.keys(bundle.settings).sort();
  const assignments = names.map((name) => `${name} = ${formatGuc(bundle.settings[name]!)}`);
  const width = Math.max(0, ...assignments.map((a) => a.length));
  const settings = names.map((name, i) => {
    const restart = bundle.restartSettings.includes(name) ? '[restart] ' : '';
    return { line: `${assignments[i]!.padEnd(width)}  # ${restart}${SETTING_REASONS[name] ?? 'plan override'}` };
  });
  const roleSettings = bundle.roles.flatMap((role) =>
    Object.keys(role.settings)
      .sort()
      .map((name) => ({
        role: role.name,
        name,
        value: role.settings[name],
        reason: 'DMS keeps idle transactions open',
      })),
  );
  return renderTemplate('postgresql.conf.snippet', {
    plan: plan.name,
    version: plan.source.version.text,
    settings,
    roleSettings,
  });
}

export function pgHbaSnippet(plan: Plan, bundle: SourceBundle): string {
  const cells = bundle.hba.rules.map(hbaFields);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...cells.map((row) => row[i]!.length)));
  const rules = bundle.hba.rules.map((rule, i) => ({ comment: rule.comment, line: pad(cells[i]!, widths) }));
  const { fence } = bundle;
  const fenceLines =
    fence.method === 'hba_reject'
      ? fence.databases.flatMap((db) => fence.roles.map((role) => `host  ${db}  ${role}  all  reject`))
      : fence.roles.map((role) => `ALTER ROLE ${role} SET default_transaction_read_only = on;`);
  return renderTemplate('pg_hba.conf.snippet', {
    plan: plan.name,
    version: plan.source.version.text,
    block: bundle.hba.block,
    rules,
    fenceMethod: fence.method,
    fenceRoles: fence.roles.join(', ') || '(no roles)',
    fenceLines,
  });
}

/** Patroni parameters are YAML scalars, not postgresql.conf literals. */
function patroniValue(value: GucValue): string | number | boolean {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return value as string | number;
}

export function patroniSnippet(plan: Plan, bundle: SourceBundle): string | null {
  if (bundle.patroni === null) return null;
  const parameters: Record<string, string | number | boolean> = {};
  for (const name of Object.keys(bundle.settings).sort()) parameters[name] = patroniValue(bundle.settings[name]!);
  // Slots DMS names itself are matched by database and plugin: Patroni's ignore_slots matches on any
  // subset of name, type, database and plugin.
  const unnamed = cdcTasks(plan)
    .filter((task) => task.slot_name === null)
    .map((task) => ({ type: 'logical', database: task.database, plugin: pgPluginName(task.plugin) }));
  const ignoreSlots = [
    ...bundle.patroni.ignoreSlots.map((slot) => ({ ...slot })),
    ...unnamed.filter(
      (entry, i) =>
        unnamed.findIndex((other) => other.database === entry.database && other.plugin === entry.plugin) === i,
    ),
  ];
  const body: Record<string, unknown> = { postgresql: { parameters } };
  if (ignoreSlots.length > 0) body.ignore_slots = ignoreSlots;
  return renderTemplate('patroni.yaml.snippet', {
    plan: plan.name,
    scope: bundle.patroni.scope,
    restUrl: bundle.patroni.restUrl,
    version: plan.source.version.text,
    body: stringify(body, { lineWidth: 0 }).trimEnd(),
  });
}
