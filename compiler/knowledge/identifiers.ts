// AWS DMS and PostgreSQL naming rules. The names pgferry generates come from compiler/model/names.ts;
// the identifier rule checks those exact names.

export type DmsResource = 'replication instance' | 'endpoint' | 'task';

/** Maximum identifier length per resource (DMS API documentation). */
export const DMS_IDENTIFIER_MAX: Readonly<Record<DmsResource, number>> = {
  'replication instance': 63,
  endpoint: 255,
  task: 255,
};

/** Why `identifier` is not a valid DMS identifier, or null when it is. */
export function dmsIdentifierProblem(identifier: string, resource: DmsResource): string | null {
  const max = DMS_IDENTIFIER_MAX[resource];
  if (identifier.length === 0) return 'it is empty';
  if (identifier.length > max) return `it is ${identifier.length} characters long; the limit is ${max}`;
  if (!/^[A-Za-z]/.test(identifier)) return 'it must start with a letter';
  const bad = identifier.match(/[^A-Za-z0-9-]/);
  if (bad) return `it contains "${bad[0]}"; only letters, digits and hyphens are allowed`;
  if (identifier.includes('--')) return 'it contains two consecutive hyphens';
  if (identifier.endsWith('-')) return 'it ends with a hyphen';
  return null;
}

/** DMS stores identifiers in lower case, so uniqueness is case-insensitive. */
export function identifierKey(identifier: string): string {
  return identifier.toLowerCase();
}

/** A logical replication slot name PostgreSQL accepts. */
export const SLOT_NAME = /^[a-z0-9_]{1,63}$/;
