// Diagnostics are data: a stable code, a place and a message. The compiler never throws for bad user
// input; it returns diagnostics, and only the CLI renders them. Lines and columns are 1-based.

import { compareText } from '../../contracts/compare.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in characters. */
  readonly col: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export interface Note {
  readonly message: string;
  readonly file?: string;
  readonly span?: Span;
}

export interface Diagnostic {
  /** Stable code, never reused: PGF1xxx parse, PGF2xxx schema, PGF3xxx rules, PGF4xxx graph, PGF5xxx catalog. */
  readonly code: string;
  /** Stable kebab-case name of the code, e.g. `slot-budget`. */
  readonly name: string;
  readonly severity: Severity;
  /** One sentence naming the object in quotes. */
  readonly message: string;
  /** Path as given on the command line. */
  readonly file: string;
  readonly span: Span | null;
  /** JSON Pointer into the plan (`/dms/tasks/1/slot_name`), or null for file-level problems. */
  readonly pointer: string | null;
  readonly notes: readonly Note[];
  /** How to fix it. */
  readonly hint: string | null;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: file, line, column, severity, code, message. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      (a.span?.start.line ?? 0) - (b.span?.start.line ?? 0) ||
      (a.span?.start.col ?? 0) - (b.span?.start.col ?? 0) ||
      severityRank[a.severity] - severityRank[b.severity] ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}
