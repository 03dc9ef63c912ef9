// A verification that cannot give an answer: an unreachable side, a missing table, a permission
// error, no comparable key, a type without a canonical form. Always a failure, never a success; the
// fields say where, so the report and the graph node name the database, table and column.

export interface VerifyErrorWhere {
  readonly side?: 'source' | 'target';
  readonly database?: string;
  readonly table?: string;
  readonly column?: string;
}

export class VerifyError extends Error {
  constructor(
    message: string,
    readonly where: VerifyErrorWhere = {},
  ) {
    super(message);
    this.name = 'VerifyError';
  }
}
