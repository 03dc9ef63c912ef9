// Located diagnostics of a side that does not compile, in the compiler's own rendering (excerpt and
// caret included), headed by which side failed.

import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderText, summaryLine } from '../../compiler/diagnostics/render.js';
import type { SideSource } from '../load-sides.js';

export function renderSideFailure(
  source: SideSource,
  diagnostics: readonly Diagnostic[],
  options: { color?: boolean } = {},
): string {
  const text = Buffer.from(source.content).toString('utf8');
  const body = renderText(diagnostics, {
    color: options.color ?? false,
    sourceText: (file) => (file === source.file ? text : undefined),
  });
  const head = `pgferry diff: the ${source.side} side (${source.displayName}) does not compile:`;
  return `${head}\n${body}${summaryLine(diagnostics)}\n`;
}
