// Located diagnostics of a side that does not compile, in the compiler's one-line form
// (`file:line:col: error PGF3012 slot-budget: message`), headed by which side failed.

import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { sortDiagnostics } from '../../compiler/diagnostics/diagnostic.js';
import type { SideSource } from '../load-sides.js';

function location(d: Diagnostic): string {
  return d.span === null ? d.file : `${d.file}:${d.span.start.line}:${d.span.start.col}`;
}

export function renderSideFailure(source: SideSource, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const lines = [`pgferry diff: the ${source.side} side (${source.displayName}) does not compile:`];
  for (const d of sortDiagnostics(diagnostics)) {
    lines.push(`${location(d)}: ${d.severity} ${d.code} ${d.name}: ${d.message}`);
    for (const note of d.notes) {
      const where = note.file && note.span ? `${note.file}:${note.span.start.line}:${note.span.start.col}: ` : '';
      lines.push(`  note: ${where}${note.message}`);
    }
    if (d.hint) lines.push(`  hint: ${d.hint}`);
  }
  if (errors.length === 0) lines.push('(the compiler reported no error but produced no graph)');
  return `${lines.join('\n')}\n`;
}
