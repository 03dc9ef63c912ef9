// What a change does to the source host, read from the compiled bundle the agent applies: settings
// that need a restart (postmaster context) or only a reload, pg_hba rules, roles and slots.

import { type GucValue, type HbaRule, hbaFields, type SourceBundle } from '../../contracts/bundle.js';
import { type Consequence, sameJson, show } from './consequence.js';
import { leafChanges } from './leaves.js';

function settingChanges(
  before: Readonly<Record<string, GucValue>>,
  after: Readonly<Record<string, GucValue>>,
): { name: string; line: string }[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((name) => !sameJson(before[name], after[name]))
    .map((name) => ({ name, line: `${name}: ${show(before[name])} → ${show(after[name])}` }));
}

function settingsConsequence(
  changes: readonly { name: string; line: string }[],
  kind: 'source-restart' | 'source-reload',
): Consequence[] {
  if (changes.length === 0) return [];
  const names = changes.map((c) => c.name).join(', ');
  const restart = kind === 'source-restart';
  return [
    {
      severity: restart ? 'high' : 'low',
      kind,
      subject: 'source',
      message: restart ? `source PostgreSQL restart required: ${names}` : `source configuration reload only: ${names}`,
      details: changes.map((c) => c.line),
    },
  ];
}

function settingsConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  const needRestart = new Set([...before.restartSettings, ...after.restartSettings]);
  const changes = settingChanges(before.settings, after.settings);
  return [
    ...settingsConsequence(
      changes.filter((c) => needRestart.has(c.name)),
      'source-restart',
    ),
    ...settingsConsequence(
      changes.filter((c) => !needRestart.has(c.name)),
      'source-reload',
    ),
  ];
}

/** A rule as it reads in pg_hba.conf, which is also its identity (the comment is not). */
function hbaLine(rule: HbaRule): string {
  return hbaFields(rule)
    .filter((field) => field !== '')
    .join(' ');
}

function hbaConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  const oldLines = before.hba.rules.map(hbaLine);
  const newLines = after.hba.rules.map(hbaLine);
  const added = newLines.filter((line) => !oldLines.includes(line));
  const removed = oldLines.filter((line) => !newLines.includes(line));
  const out: Consequence[] = [];
  if (removed.length > 0) {
    out.push({
      severity: 'medium',
      kind: 'pg-hba',
      subject: 'source/pg_hba.conf',
      message: `pg_hba rules removed (${removed.length}): connections they admitted will be refused after reload`,
      details: removed.map((line) => `- ${line}`),
    });
  }
  if (added.length > 0) {
    out.push({
      severity: 'medium',
      kind: 'pg-hba',
      subject: 'source/pg_hba.conf',
      message: `pg_hba rules added (${added.length})`,
      details: added.map((line) => `+ ${line}`),
    });
  }
  if (added.length === 0 && removed.length === 0 && !sameJson(oldLines, newLines)) {
    out.push({
      severity: 'medium',
      kind: 'pg-hba',
      subject: 'source/pg_hba.conf',
      message: 'pg_hba rules reordered: the first matching rule decides, so who gets in may change',
      details: newLines,
    });
  }
  return out;
}

function slotConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  const out: Consequence[] = [];
  for (const slot of before.slots) {
    if (!after.slots.some((s) => s.name === slot.name)) {
      out.push({
        severity: 'high',
        kind: 'slot',
        subject: `slot ${slot.name}`,
        message: `replication slot '${slot.name}' (task ${slot.task}) is no longer declared: dropping it loses in-flight CDC changes`,
        details: [`database ${slot.database}, plugin ${slot.plugin}`],
      });
    }
  }
  for (const slot of after.slots) {
    const old = before.slots.find((s) => s.name === slot.name);
    if (old === undefined) {
      out.push({
        severity: 'medium',
        kind: 'slot',
        subject: `slot ${slot.name}`,
        message: `replication slot '${slot.name}' created on database ${slot.database} for task ${slot.task}: it retains WAL until consumed`,
        details: [`plugin ${slot.plugin}`],
      });
    } else if (!sameJson(old, slot)) {
      out.push({
        severity: 'high',
        kind: 'slot',
        subject: `slot ${slot.name}`,
        message: `replication slot '${slot.name}' changes (dropped and re-created): in-flight CDC changes are lost`,
        details: leafChanges(old, slot),
      });
    }
  }
  return out;
}

function roleConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  const names = [...new Set([...before.roles, ...after.roles].map((r) => r.name))].sort();
  const out: Consequence[] = [];
  for (const name of names) {
    const old = before.roles.find((r) => r.name === name);
    const now = after.roles.find((r) => r.name === name);
    if (sameJson(old, now)) continue;
    const what = old === undefined ? 'added' : now === undefined ? 'no longer managed' : 'changed';
    const details: string[] = [];
    if (old !== undefined && now !== undefined) {
      for (const key of ['login', 'superuser', 'replication', 'create', 'password', 'settings'] as const) {
        if (!sameJson(old[key], now[key])) details.push(`${key}: ${show(old[key])} → ${show(now[key])}`);
      }
    }
    out.push({
      severity: 'medium',
      kind: 'source-role',
      subject: `role ${name}`,
      message: `source role '${name}' ${what}`,
      details,
    });
  }
  return out;
}

function fenceConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  if (sameJson(before.fence, after.fence)) return [];
  const details = (['method', 'roles', 'databases'] as const)
    .filter((key) => !sameJson(before.fence[key], after.fence[key]))
    .map((key) => `fence.${key}: ${show(before.fence[key])} → ${show(after.fence[key])}`);
  return [
    { severity: 'medium', kind: 'cutover-policy', subject: 'source', message: 'cutover write fence changes', details },
  ];
}

function patroniConsequences(before: SourceBundle, after: SourceBundle): Consequence[] {
  if (sameJson(before.patroni, after.patroni)) return [];
  return [
    {
      severity: 'medium',
      kind: 'source-reload',
      subject: 'source/patroni.yaml.snippet',
      message: "Patroni's dynamic configuration changes (applied through Patroni, not postgresql.conf)",
      details: leafChanges(before.patroni, after.patroni, 'patroni'),
    },
  ];
}

export function sourceImpact(before: SourceBundle | null, after: SourceBundle | null): Consequence[] {
  if (before === null || after === null) return [];
  return [
    ...settingsConsequences(before, after),
    ...hbaConsequences(before, after),
    ...slotConsequences(before, after),
    ...roleConsequences(before, after),
    ...fenceConsequences(before, after),
    ...patroniConsequences(before, after),
  ];
}
