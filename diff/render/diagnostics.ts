// Located diagnostics of a side that does not compile, in the compiler's own rendering (excerpt and
// caret included), headed by which side failed.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderText, summaryLine } from '../../compiler/diagnostics/render.js';
import type { SideSource } from '../load-sides.js';

function sideText(source: SideSource, cwd: string): string | undefined {
  if (source.text !== undefined) return source.text;
  try {
    return readFileSync(resolve(cwd, source.file), 'utf8');
  } catch {
    return undefined;
  }
}

export function renderSideFailure(
  source: SideSource,
  diagnostics: readonly Diagnostic[],
  options: { cwd: string; color?: boolean },
): string {
  const text = sideText(source, options.cwd);
  const body = renderText(diagnostics, {
    color: options.color ?? false,
    sourceText: (file) => (file === source.file ? text : undefined),
  });
  const head = `pgferry diff: the ${source.side} side (${source.displayName}) does not compile:`;
  return `${head}\n${body}${summaryLine(diagnostics)}\n`;
}
