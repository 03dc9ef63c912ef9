// A parsed plan file: its text, the yaml Document (with node ranges) and the LineCounter, so any
// stage can turn a byte offset or a JSON Pointer into a 1-based line:column span.

import type { Document, LineCounter } from 'yaml';
import type { Span } from '../diagnostics/diagnostic.js';

export interface SourceFile {
  /** Path as given on the command line. */
  readonly path: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** Span of the text between two offsets; the end is clamped to the start line so carets stay on one line. */
export function spanOf(file: Pick<SourceFile, 'text' | 'lineCounter'>, start: number, end: number): Span {
  const from = file.lineCounter.linePos(start);
  const lineEnd = file.text.indexOf('\n', start);
  const stop = Math.max(start, Math.min(end, lineEnd < 0 ? file.text.length : lineEnd));
  const to = file.lineCounter.linePos(stop);
  return { start: { line: from.line, col: from.col }, end: { line: to.line, col: Math.max(to.col, from.col) } };
}
