// Consequences for the target database SQL, the execution graph and the rule diagnostics.

import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { ArtifactChange } from '../artifact-diff.js';
import type { GraphChange } from '../graph-diff.js';
import type { Consequence } from './consequence.js';

export function targetSqlImpact(changes: readonly ArtifactChange[]): Consequence[] {
  return changes
    .filter((c) => c.path.startsWith('target/') && c.path.endsWith('.sql'))
    .map((c) => ({
      severity: c.path.endsWith('/cutover.sql') || c.path.endsWith('/sequences.sql') ? 'medium' : 'low',
      kind: 'target-sql',
      subject: c.path,
      message: `target SQL ${c.path} ${c.status} (+${c.additions} −${c.deletions} lines)`,
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

export function diagnosticsImpact(before: readonly Diagnostic[], after: readonly Diagnostic[]): Consequence[] {
  const oldKeys = new Set(before.map(diagnosticKey));
  const newKeys = new Set(after.map(diagnosticKey));
  const appeared = [...newKeys].filter((k) => !oldKeys.has(k)).sort();
  const gone = [...oldKeys].filter((k) => !newKeys.has(k)).sort();
  const out: Consequence[] = [];
  if (appeared.length > 0) {
    out.push({
      severity: 'low',
      kind: 'diagnostics',
      subject: 'rules',
      message: `${appeared.length} rule diagnostic${appeared.length === 1 ? '' : 's'} appeared`,
      details: appeared,
    });
  }
  if (gone.length > 0) {
    out.push({
      severity: 'low',
      kind: 'diagnostics',
      subject: 'rules',
      message: `${gone.length} rule diagnostic${gone.length === 1 ? '' : 's'} disappeared`,
      details: gone,
    });
  }
  return out;
}
