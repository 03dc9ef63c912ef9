// The report for people: a text summary per database and table, or markdown to attach to the change
// record; JSON is the report itself (schema/verify-report.schema.json).

import { canonicalJson } from '../contracts/canonical-json.js';
import type { DatabaseReport, RowDifference, SchemaDifference, TableResult, VerifyReport } from './report-types.js';

export type ReportFormat = 'text' | 'json' | 'markdown';

function keyText(diff: RowDifference): string {
  if (diff.key === null) return `(no key; ${diff.copies ?? 1} cop${(diff.copies ?? 1) === 1 ? 'y' : 'ies'})`;
  return Object.entries(diff.key)
    .map(([column, value]) => `${column}=${value}`)
    .join(', ');
}

const shown = (value: string | null) =>
  value === null ? 'NULL' : JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

function differenceLine(diff: RowDifference): string {
  const what = diff.kind === 'missing' ? 'missing on target' : diff.kind === 'extra' ? 'extra on target' : 'different';
  const columns =
    diff.kind === 'different'
      ? `: ${diff.columns.map((c) => `${c.column} ${shown(c.source)} -> ${shown(c.target)}`).join('; ')}`
      : diff.key === null
        ? `: ${diff.columns.map((c) => `${c.column}=${shown(c.source ?? c.target)}`).join(', ')}`
        : '';
  return `${what} ${keyText(diff)}${columns}`;
}

function schemaLine(diff: SchemaDifference): string {
  const where = diff.table ? `${diff.table}: ` : '';
  const values =
    diff.source !== null && diff.target !== null
      ? ` (source ${diff.source}, target ${diff.target})`
      : diff.source !== null
        ? ` (${diff.source})`
        : diff.target !== null
          ? ` (${diff.target})`
          : '';
  return `${diff.kind} ${where}${diff.object}${values}${diff.hint ? ` — ${diff.hint}` : ''}`;
}

function tableStatus(table: TableResult): string {
  if (table.check === 'error') return 'ERROR';
  if (table.mismatches > 0) return 'MISMATCH';
  return table.check === 'keyless' ? 'ok (keyless: count + aggregate only)' : 'ok';
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function verdict(report: VerifyReport): string {
  if (report.errors > 0) return `FAILED: ${report.errors} table(s) could not be verified`;
  if (report.mismatches === 0) return 'OK: every compared row and object matches';
  return report.ok
    ? `OK within the allowance: ${report.mismatches} mismatch(es), ${report.allowedMismatches} allowed`
    : `MISMATCH: ${report.mismatches} difference(s) (allowed ${report.allowedMismatches})`;
}

function textDatabase(db: DatabaseReport): string[] {
  const lines = [`database ${db.sourceDatabase} -> ${db.targetDatabase}: ${db.rows} rows in ${db.seconds.toFixed(1)}s`];
  const rows = [['table', 'check', 'rows src', 'rows tgt', 'chunks', 'mismatches', 'seconds', 'result']];
  for (const t of db.tables) {
    rows.push([
      t.table,
      t.check,
      String(t.sourceRows),
      String(t.targetRows),
      String(t.chunks),
      String(t.mismatches),
      t.seconds.toFixed(1),
      tableStatus(t),
    ]);
  }
  lines.push(...pad(rows).map((line) => `  ${line}`));
  for (const t of db.tables) {
    if (t.error) lines.push(`  ! ${t.error}`);
    for (const diff of t.differences) lines.push(`  ${t.table}: ${differenceLine(diff)}`);
    if (t.mismatches > t.differences.length)
      lines.push(`  ${t.table}: … ${t.mismatches - t.differences.length} more not listed`);
  }
  for (const diff of db.schema) lines.push(`  schema: ${schemaLine(diff)}`);
  return lines;
}

function markdownCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function markdownDatabase(db: DatabaseReport): string[] {
  const lines = [
    `## ${db.sourceDatabase} → ${db.targetDatabase}`,
    '',
    `${db.rows} source rows compared in ${db.seconds.toFixed(1)} s.`,
    '',
    '| Table | Check | Source rows | Target rows | Chunks | Mismatches | Seconds | Result |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const t of db.tables) {
    lines.push(
      `| ${markdownCell(t.table)} | ${t.check} | ${t.sourceRows} | ${t.targetRows} | ${t.chunks} | ${t.mismatches} | ${t.seconds.toFixed(1)} | ${tableStatus(t)} |`,
    );
  }
  const problems = db.tables.flatMap((t) => [
    ...(t.error ? [`- **${markdownCell(t.table)}**: ${markdownCell(t.error)}`] : []),
    ...t.differences.map((diff) => `- **${markdownCell(t.table)}**: ${markdownCell(differenceLine(diff))}`),
  ]);
  if (problems.length > 0) lines.push('', '### Row differences and errors', '', ...problems);
  if (db.schema.length > 0) {
    lines.push('', '### Schema and sequences', '', ...db.schema.map((diff) => `- ${markdownCell(schemaLine(diff))}`));
  }
  return lines;
}

export function renderReport(report: VerifyReport, format: ReportFormat): string {
  if (format === 'json') return canonicalJson(report);
  const mode = `${report.mode}${report.rolling ? ', rolling' : ''}`;
  if (format === 'markdown') {
    const lines = [
      `# Data verification: ${report.plan}`,
      '',
      `Mode: ${mode}. **${verdict(report)}**`,
      '',
      ...report.databases.flatMap((db) => [...markdownDatabase(db), '']),
    ];
    return `${lines.join('\n').trimEnd()}\n`;
  }
  const lines = [`verify ${report.plan} (${mode})`, ...report.databases.flatMap(textDatabase), verdict(report)];
  return `${lines.join('\n')}\n`;
}
