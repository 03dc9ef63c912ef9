// The catalogue of diagnostic codes. Each stage declares its codes in its own module through
// `defineCode`; a code or a name registered twice throws at module load (Atlas's sqlcheck.Code rule),
// and a retired code is never reused.
//
// Ranges: PGF1xxx reading YAML, PGF2xxx schema, PGF3xxx semantic rules, PGF4xxx graph verification,
// PGF5xxx catalog snapshot checks.

import { compareText } from '../../contracts/compare.js';
import type { Severity } from './diagnostic.js';

export interface CodeInfo {
  readonly code: string;
  readonly name: string;
  readonly severity: Severity;
  /** One line for `pgferry rules` and the README. */
  readonly title: string;
  /** A paragraph for `pgferry rules <id>`: why it matters and how to fix it. */
  readonly explanation: string;
}

const byCode = new Map<string, CodeInfo>();
const byName = new Map<string, CodeInfo>();

export function defineCode(info: CodeInfo): CodeInfo {
  if (!/^PGF[1-5]\d{3}$/.test(info.code)) throw new Error(`malformed diagnostic code ${info.code}`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(info.name)) throw new Error(`malformed diagnostic name ${info.name}`);
  if (byCode.has(info.code)) throw new Error(`diagnostic code ${info.code} registered twice`);
  if (byName.has(info.name)) throw new Error(`diagnostic name ${info.name} registered twice`);
  byCode.set(info.code, info);
  byName.set(info.name, info);
  return info;
}

/** By code (`PGF3012`) or by name (`slot-budget`). */
export function lookupCode(codeOrName: string): CodeInfo | undefined {
  return byCode.get(codeOrName.toUpperCase()) ?? byName.get(codeOrName.toLowerCase());
}

/** Every registered code, sorted by code. Import the modules that define codes first. */
export function allCodes(): CodeInfo[] {
  return [...byCode.values()].sort((a, b) => compareText(a.code, b.code));
}
