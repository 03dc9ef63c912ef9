// Which AWS DMS replication engine versions handle which PostgreSQL majors, as data
// (reference/dms.md §1.1 and §10). Engine versions compare numerically part by part.

export interface EngineVersionFacts {
  readonly version: string;
  /**
   * AWS no longer lets new replication instances use it (release-notes table, dms.md §10). Decided from
   * the data, never from the clock, so a compile gives the same answer every day; flip it when AWS's date
   * (`noNewInstancesAfter`) has passed and the fixtures that use the version have moved on.
   */
  readonly retired: boolean;
  /** Last day AWS accepts new instances with this version, when the release notes state one. */
  readonly noNewInstancesAfter?: string;
}

/** Engine versions pgferry knows, oldest first. Others are reported as unknown, not rejected. */
export const KNOWN_ENGINE_VERSIONS: readonly EngineVersionFacts[] = [
  { version: '3.4.3', retired: true },
  { version: '3.4.4', retired: true },
  { version: '3.4.5', retired: true },
  { version: '3.4.6', retired: true },
  { version: '3.4.7', retired: true, noNewInstancesAfter: '2024-09-30' },
  { version: '3.5.1', retired: true, noNewInstancesAfter: '2024-11-30' },
  { version: '3.5.2', retired: true, noNewInstancesAfter: '2025-03-30' },
  { version: '3.5.3', retired: false, noNewInstancesAfter: '2026-02-28' },
  { version: '3.5.4', retired: false },
  { version: '3.6.0', retired: false, noNewInstancesAfter: '2026-04-27' },
  { version: '3.6.1', retired: false, noNewInstancesAfter: '2027-04-30' },
];

interface MajorSupport {
  /** PostgreSQL major as PostgreSQL names it: `9.4` … `9.6`, `10` … `18`. */
  readonly major: string;
  /** Minimum engine for this major as a source; null = any current engine. */
  readonly minSource: string | null;
  /** Minimum engine for this major as a target; null = any current engine. */
  readonly minTarget: string | null;
  /** The figure is inferred rather than stated by AWS (dms.md marks it unverified). */
  readonly unverified?: boolean;
}

export const ENGINE_MATRIX: readonly MajorSupport[] = [
  { major: '9.4', minSource: null, minTarget: null },
  { major: '9.5', minSource: null, minTarget: null },
  { major: '9.6', minSource: null, minTarget: null },
  { major: '10', minSource: null, minTarget: null },
  { major: '11', minSource: null, minTarget: null },
  { major: '12', minSource: null, minTarget: null },
  { major: '13', minSource: '3.4.3', minTarget: '3.4.3' },
  { major: '14', minSource: '3.4.7', minTarget: '3.4.7' },
  { major: '15', minSource: '3.5.1', minTarget: '3.5.1', unverified: true },
  { major: '16', minSource: '3.5.3', minTarget: '3.5.3' },
  { major: '17', minSource: '3.6.1', minTarget: '3.5.4' },
  { major: '18', minSource: '3.6.1', minTarget: '3.5.4' },
];

export function parseEngineVersion(text: string): readonly number[] | null {
  if (!/^\d+\.\d+\.\d+$/.test(text)) return null;
  return text.split('.').map(Number);
}

/** Negative when a < b, 0 when equal, positive when a > b; unparsable versions sort first. */
export function compareEngineVersions(a: string, b: string): number {
  const pa = parseEngineVersion(a) ?? [0, 0, 0];
  const pb = parseEngineVersion(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function engineFacts(version: string): EngineVersionFacts | undefined {
  return KNOWN_ENGINE_VERSIONS.find((facts) => facts.version === version);
}

export function majorSupport(major: string): MajorSupport | undefined {
  return ENGINE_MATRIX.find((row) => row.major === major);
}
