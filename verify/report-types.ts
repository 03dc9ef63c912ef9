// The verification report: what `pgferry verify --format json` prints (schema/verify-report.schema.json
// describes it) and what the cutover graph node records. Plain JSON data.

export const VERIFY_REPORT_FORMAT_VERSION = 1;

export type VerifyMode = 'count' | 'checksum' | 'rows';

export const VERIFY_MODES: readonly VerifyMode[] = ['count', 'checksum', 'rows'];

export interface ColumnDifference {
  readonly column: string;
  /** Plain text of the value on each side (null for SQL NULL). */
  readonly source: string | null;
  readonly target: string | null;
}

export interface RowDifference {
  /** missing: on the source only; extra: on the target only; different: both, columns differ. */
  readonly kind: 'missing' | 'extra' | 'different';
  /** Key column → value text; null for a table without a key (the row is named by its content). */
  readonly key: Readonly<Record<string, string>> | null;
  /** For `different`: the columns that differ. For keyless rows: every column of the row. */
  readonly columns: readonly ColumnDifference[];
  /** Keyless tables: how many more copies of this row the side has. */
  readonly copies?: number;
}

export interface TableResult {
  readonly table: string;
  /** keyed: chunked by key and located; keyless: count plus a whole-table aggregate (a weaker check). */
  readonly check: 'keyed' | 'keyless' | 'error';
  readonly key: readonly string[];
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly chunks: number;
  /** Rows that differ (missing + extra + different), all of them, even past the listed ones. */
  readonly mismatches: number;
  /** The first differences found, at most the report's limit per table. */
  readonly differences: readonly RowDifference[];
  readonly seconds: number;
  readonly error: string | null;
  /** The column an error is about (a type with no canonical form). */
  readonly column?: string;
}

export type SchemaDifferenceKind =
  | 'column-missing'
  | 'column-extra'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'column-collation'
  | 'constraint-missing'
  | 'constraint-different'
  | 'index-missing'
  | 'trigger-missing'
  | 'sequence-missing'
  | 'sequence-behind';

export interface SchemaDifference {
  readonly kind: SchemaDifferenceKind;
  readonly table: string | null;
  /** Column, constraint, index, trigger or sequence name. */
  readonly object: string;
  readonly source: string | null;
  readonly target: string | null;
  /** What should have created it or what to do. */
  readonly hint: string | null;
}

export interface DatabaseReport {
  readonly sourceDatabase: string;
  readonly targetDatabase: string;
  readonly tables: readonly TableResult[];
  readonly schema: readonly SchemaDifference[];
  readonly rows: number;
  readonly mismatches: number;
  readonly errors: number;
  /** Chunks a previous, interrupted run had compared and this one took from the checkpoint. */
  readonly resumedChunks: number;
  readonly seconds: number;
}

export interface VerifyReport {
  readonly formatVersion: typeof VERIFY_REPORT_FORMAT_VERSION;
  readonly plan: string;
  readonly mode: VerifyMode;
  readonly rolling: boolean;
  readonly databases: readonly DatabaseReport[];
  /** Row mismatches plus schema and sequence differences. */
  readonly mismatches: number;
  readonly errors: number;
  /** No error, and mismatches within what was allowed. */
  readonly ok: boolean;
  readonly allowedMismatches: number;
}
