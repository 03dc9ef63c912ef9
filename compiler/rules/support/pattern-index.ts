// Finding the table patterns that can match a name, or overlap another pattern, without comparing
// against every pattern: plans may list thousands of tables explicitly, and catalogs hold thousands.
// Fixed-length patterns (no `%`) only match names of their length whose last characters agree with
// their literal ending, so they are bucketed by length and by their last three literal characters.

import { type CompiledPattern, compilePattern } from '../../knowledge/dms-wildcard.js';

export interface IndexedPattern {
  /** Position in the task's include list; the lowest matching index wins. */
  readonly index: number;
  /** The table part of `schema.table`. */
  readonly table: string;
}

const TAIL = 3;

/** Literal characters a fixed-length pattern ends with, up to TAIL of them. */
function literalTail(pattern: CompiledPattern): string {
  let tail = '';
  for (let i = pattern.tokens.length - 1; i >= 0 && tail.length < TAIL; i--) {
    const token = pattern.tokens[i]!;
    if (token.kind !== 'literal') break;
    tail = token.ch + tail;
  }
  return tail;
}

interface Bucket<T> {
  readonly all: T[];
  readonly byTail: Map<string, T[]>;
  readonly shortTail: T[];
}

export class PatternIndex<T extends IndexedPattern> {
  private readonly variable: T[] = [];
  private readonly byLength = new Map<number, Bucket<T>>();

  /** Patterns must be valid (compilePattern not null). */
  constructor(patterns: readonly T[]) {
    for (const pattern of patterns) {
      const compiled = compilePattern(pattern.table)!;
      if (compiled.variable) {
        this.variable.push(pattern);
        continue;
      }
      let bucket = this.byLength.get(compiled.tokens.length);
      if (!bucket) {
        bucket = { all: [], byTail: new Map(), shortTail: [] };
        this.byLength.set(compiled.tokens.length, bucket);
      }
      bucket.all.push(pattern);
      const tail = literalTail(compiled);
      if (tail.length === TAIL) {
        const list = bucket.byTail.get(tail) ?? [];
        list.push(pattern);
        bucket.byTail.set(tail, list);
      } else bucket.shortTail.push(pattern);
    }
  }

  /** Patterns that may overlap `table` (a pattern): a superset of those that do. */
  overlapCandidates(table: string): T[] {
    const compiled = compilePattern(table);
    if (!compiled || compiled.variable) {
      return [...this.variable, ...[...this.byLength.values()].flatMap((bucket) => bucket.all)];
    }
    const bucket = this.byLength.get(compiled.tokens.length);
    if (!bucket) return this.variable;
    const tail = literalTail(compiled);
    if (tail.length < TAIL) return [...this.variable, ...bucket.all];
    return [...this.variable, ...(bucket.byTail.get(tail) ?? []), ...bucket.shortTail];
  }

  /** Patterns that may match the concrete table name: a superset of those that do. */
  nameCandidates(name: string): T[] {
    const bucket = this.byLength.get(name.length);
    if (!bucket) return this.variable;
    const tail = name.slice(-TAIL);
    return [...this.variable, ...(bucket.byTail.get(tail) ?? []), ...bucket.shortTail];
  }
}
