// Renders diagnostics for people (text with a source excerpt and caret), machines (JSON) and GitHub
// Actions (workflow annotations). Same data behind each; only the CLI calls these. Output is
// deterministic: diagnostics sorted, summary last.

import { canonicalJson } from '../../contracts/canonical-json.js';
import { type Diagnostic, type Severity, sortDiagnostics } from './diagnostic.js';

export type DiagnosticFormat = 'text' | 'json' | 'github';

export interface RenderOptions {
  /** The file's text, for the excerpt under each located diagnostic. */
  readonly sourceText?: (file: string) => string | undefined;
  /** ANSI colour (TTY without NO_COLOR only). */
  readonly color?: boolean;
}

const colours: Record<Severity, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };
const bold = '\u001b[1m';
const EXCERPT_WIDTH = 120;
const reset = '\u001b[0m';

function excerpt(diagnostic: Diagnostic, lines: readonly string[] | undefined): string[] {
  const span = diagnostic.span;
  if (!span || lines === undefined) return [];
  const line = lines[span.start.line - 1];
  if (line === undefined) return [];
  const gutter = String(span.start.line);
  const width = span.end.line === span.start.line ? Math.max(1, span.end.col - span.start.col) : 1;
  const pad = ' '.repeat(gutter.length);
  // Tabs in the excerpt would shift the caret; show them as single spaces. Long lines (minified or
  // hostile input) show a window around the caret.
  let shown = line.replace(/\t/g, ' ');
  let caretAt = span.start.col - 1;
  if (shown.length > EXCERPT_WIDTH) {
    const from = Math.max(0, caretAt - 40);
    shown = `${from > 0 ? '…' : ''}${shown.slice(from, from + EXCERPT_WIDTH)}…`;
    caretAt = caretAt - from + (from > 0 ? 1 : 0);
  }
  const caretWidth = Math.min(width, EXCERPT_WIDTH);
  return [`  ${gutter} | ${shown}`, `  ${pad} | ${' '.repeat(caretAt)}${'^'.repeat(caretWidth)}`];
}

export function summarize(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  const count = (severity: Severity) => diagnostics.filter((d) => d.severity === severity).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info') };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(diagnostics: readonly Diagnostic[]): string {
  const { errors, warnings } = summarize(diagnostics);
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

function where(d: { file: string; span?: Diagnostic['span'] | undefined }): string {
  return d.span ? `${d.file}:${d.span.start.line}:${d.span.start.col}` : d.file;
}

/** `plans/orders.yaml:12:5: error PGF2001 [unknown-key] message`, excerpt, hint and notes. */
export function renderText(diagnostics: readonly Diagnostic[], options: RenderOptions = {}): string {
  const out: string[] = [];
  // Split each file once: a plan with thousands of findings must not re-split its text per finding.
  const linesByFile = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string) => {
    if (!linesByFile.has(file)) linesByFile.set(file, options.sourceText?.(file)?.split(/\r?\n/));
    return linesByFile.get(file);
  };
  for (const d of sortDiagnostics(diagnostics)) {
    const severity = options.color ? `${colours[d.severity]}${bold}${d.severity}${reset}` : d.severity;
    out.push(`${where(d)}: ${severity} ${d.code} [${d.name}] ${d.message}`);
    out.push(...excerpt(d, linesOf(d.file)));
    if (d.hint) out.push(`  hint: ${d.hint}`);
    for (const note of d.notes) {
      out.push(`  note: ${note.file ? `${where({ file: note.file, span: note.span })}: ` : ''}${note.message}`);
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** A stable JSON document: `{diagnostics, summary}`. */
export function renderJson(diagnostics: readonly Diagnostic[]): string {
  return canonicalJson({ diagnostics: sortDiagnostics(diagnostics), summary: summarize(diagnostics) });
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`. */
export function renderGithub(diagnostics: readonly Diagnostic[]): string {
  const command: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const props = [`file=${escapeProperty(d.file)}`];
      if (d.span) {
        props.push(`line=${d.span.start.line}`, `col=${d.span.start.col}`);
        props.push(`endLine=${d.span.end.line}`, `endColumn=${d.span.end.col}`);
      }
      props.push(`title=${escapeProperty(`${d.code} ${d.name}`)}`);
      const message = d.hint ? `${d.message} (${d.hint})` : d.message;
      return `::${command[d.severity]} ${props.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  options: RenderOptions = {},
): string {
  if (format === 'json') return renderJson(diagnostics);
  if (format === 'github') return renderGithub(diagnostics);
  return renderText(diagnostics, options);
}
