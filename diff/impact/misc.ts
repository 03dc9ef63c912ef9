// Consequences for the target database SQL, the execution graph and the rule diagnostics.

import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { ArtifactChange } from '../artifact-diff.js';
import type { GraphChange } from '../graph-diff.js';
import type { Consequence } from './consequence.js';

/** Prefix under which the post_load_sql files a plan names are compared beside the compiled output. */
export const PLAN_FILE_PREFIX = 'post_load_sql/';

export function targetSqlImpact(changes: readonly ArtifactChange[]): Consequence[] {
  return changes
    .filter((c) => (c.path.startsWith('target/') && c.path.endsWith('.sql')) || c.path.startsWith(PLAN_FILE_PREFIX))
    .map((c) => ({
      severity: c.path.endsWith('/cutover.sql') || c.path.endsWith('/sequences.sql') ? 'medium' : 'low',
      kind: 'target-sql',
      subject: c.path,
      message: c.path.startsWith(PLAN_FILE_PREFIX)
        ? `${c.path.endsWith('.sql') ? 'post_load_sql file' : 'plan file'} ${c.path.slice(PLAN_FILE_PREFIX.length)} ${c.status} (+${c.additions} −${c.deletions} lines)`
        : `target SQL ${c.path} ${c.status} (+${c.additions} −${c.deletions} lines)`,
      details: [],
    }));
}

export function graphImpact(change: GraphChange): Consequence[] {
  const parts: [string, readonly string[]][] = [
    ['added', change.added],
    ['removed', change.removed],
    ['changed', change.changed],
  ];
  return parts
    .filter(([, ids]) => ids.length > 0)
    .map(([what, ids]) => ({
      severity: 'low',
      kind: 'graph',
      subject: 'graph.json',
      message: `${ids.length} execution graph node${ids.length === 1 ? '' : 's'} ${what}`,
      details: [...ids],
    }));
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.severity} ${d.code} ${d.name}${d.pointer ? ` at ${d.pointer}` : ''}: ${d.message}`;
}

function diagnosticsChange(keys: readonly string[], what: 'appeared' | 'disappeared'): Consequence[] {
  if (keys.length === 0) return [];
  const message = `${keys.length} rule diagnostic${keys.length === 1 ? '' : 's'} ${what}`;
  return [{ severity: 'low', kind: 'diagnostics', subject: 'rules', message, details: keys }];
}

export function diagnosticsImpact(before: readonly Diagnostic[], after: readonly Diagnostic[]): Consequence[] {
  const oldKeys = new Set(before.map(diagnosticKey));
  const newKeys = new Set(after.map(diagnosticKey));
  return [
    ...diagnosticsChange([...newKeys].filter((k) => !oldKeys.has(k)).sort(), 'appeared'),
    ...diagnosticsChange([...oldKeys].filter((k) => !newKeys.has(k)).sort(), 'disappeared'),
  ];
}
