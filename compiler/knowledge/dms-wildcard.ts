// DMS selection-rule wildcards (reference/dms.md §6.1): `%` any run, `_` one character, `[_]` a literal
// underscore, `[ab]` a set, `[a-d]` a range. Names are case-sensitive.
//
// Plans may list thousands of tables explicitly, so patterns are compiled once (cached) and the common
// case, a pattern without `%`, is compared position by position without the general search.

export type Token =
  | { readonly kind: 'any' }
  | { readonly kind: 'one' }
  | { readonly kind: 'set'; readonly ranges: readonly (readonly [string, string])[] }
  | { readonly kind: 'literal'; readonly ch: string };

export interface CompiledPattern {
  readonly tokens: readonly Token[];
  /** Contains `%`: matches names of any length. */
  readonly variable: boolean;
}

const ANY: Token = { kind: 'any' };
const ONE: Token = { kind: 'one' };
const cache = new Map<string, CompiledPattern | null>();
const CACHE_LIMIT = 100_000;

function parse(pattern: string): CompiledPattern | null {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '%') {
      // Consecutive `%` mean the same as one.
      if (tokens.at(-1) !== ANY) tokens.push(ANY);
    } else if (ch === '_') tokens.push(ONE);
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return null;
      const body = pattern.slice(i + 1, close);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else ranges.push([body[j]!, body[j]!]);
      }
      tokens.push(
        ranges.length === 1 && ranges[0]![0] === ranges[0]![1]
          ? { kind: 'literal', ch: ranges[0]![0] }
          : { kind: 'set', ranges },
      );
      i = close;
    } else tokens.push({ kind: 'literal', ch });
  }
  return { tokens, variable: tokens.includes(ANY) };
}

/** The compiled pattern, or null when it is malformed (an unclosed `[`). */
export function compilePattern(pattern: string): CompiledPattern | null {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    compiled = parse(pattern);
    cache.set(pattern, compiled);
  }
  return compiled;
}

function tokenAccepts(token: Token, ch: string): boolean {
  if (token.kind === 'one') return true;
  if (token.kind === 'literal') return token.ch === ch;
  if (token.kind === 'set') return token.ranges.some(([lo, hi]) => ch >= lo && ch <= hi);
  return true;
}

function tokensIntersect(a: Token, b: Token): boolean {
  if (a.kind === 'one' || b.kind === 'one') return true;
  if (a.kind === 'literal') return tokenAccepts(b, a.ch);
  if (b.kind === 'literal') return tokenAccepts(a, b.ch);
  // Two sets: assume they can share a character rather than enumerate the alphabet.
  return true;
}

/** Whether a concrete name matches a DMS wildcard pattern. */
export function matchesWildcard(pattern: string, name: string): boolean {
  const compiled = compilePattern(pattern);
  if (!compiled) return pattern === name;
  const { tokens } = compiled;
  if (!compiled.variable) {
    if (tokens.length !== name.length) return false;
    for (let i = 0; i < tokens.length; i++) if (!tokenAccepts(tokens[i]!, name[i]!)) return false;
    return true;
  }
  // reachable[n]: the tokens so far can consume exactly the first n characters.
  let reachable = new Uint8Array(name.length + 1);
  reachable[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(name.length + 1);
    for (let n = 0; n <= name.length; n++) {
      if (!reachable[n]) continue;
      if (token === ANY) {
        for (let m = n; m <= name.length; m++) next[m] = 1;
        break;
      }
      if (n < name.length && tokenAccepts(token, name[n]!)) next[n + 1] = 1;
    }
    reachable = next;
  }
  return reachable[name.length] === 1;
}

/**
 * Whether some name matches both patterns (the intersection of two wildcard languages). Used to find
 * tables two tasks would both load without a catalog.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const ca = compilePattern(a);
  const cb = compilePattern(b);
  if (!ca || !cb) return a === b;
  const ta = ca.tokens;
  const tb = cb.tokens;
  if (!ca.variable && !cb.variable) {
    if (ta.length !== tb.length) return false;
    for (let i = 0; i < ta.length; i++) if (!tokensIntersect(ta[i]!, tb[i]!)) return false;
    return true;
  }
  const width = tb.length + 1;
  const memo = new Int8Array((ta.length + 1) * width);
  const walk = (i: number, j: number): boolean => {
    const slot = i * width + j;
    if (memo[slot] !== 0) return memo[slot] === 1;
    const x = ta[i];
    const y = tb[j];
    let result: boolean;
    if (!x && !y) result = true;
    else if (x === ANY) result = walk(i + 1, j) || (y !== undefined && walk(i, j + 1));
    else if (y === ANY) result = walk(i, j + 1) || (x !== undefined && walk(i + 1, j));
    else if (!x || !y) result = false;
    else result = tokensIntersect(x, y) && walk(i + 1, j + 1);
    memo[slot] = result ? 1 : -1;
    return result;
  };
  return walk(0, 0);
}

/** `schema.table` split at the first dot that is not inside brackets; null when there is none. */
export function splitTablePattern(pattern: string): { schema: string; table: string } | null {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === '.' && depth === 0) {
      const schema = pattern.slice(0, i);
      const table = pattern.slice(i + 1);
      return schema && table ? { schema, table } : null;
    }
  }
  return null;
}

export function hasWildcard(pattern: string): boolean {
  return /[%_[]/.test(pattern);
}

const REGEX_SPECIAL = /[.^$*+?()[\]{}|\\-]/;

function regexChar(ch: string): string {
  return REGEX_SPECIAL.test(ch) ? `\\${ch}` : ch;
}

/**
 * The pattern as an anchored PostgreSQL (ARE) regular expression, from the same tokens the compiler's
 * matcher uses, so target SQL selects exactly the tables the rules reason about. A malformed pattern
 * (an unclosed `[`) matches itself literally, as `matchesWildcard` does.
 */
export function wildcardToRegex(pattern: string): string {
  const compiled = compilePattern(pattern);
  if (!compiled) return `^${[...pattern].map(regexChar).join('')}$`;
  const body = compiled.tokens.map((token) => {
    if (token.kind === 'any') return '.*';
    if (token.kind === 'one') return '.';
    if (token.kind === 'literal') return regexChar(token.ch);
    const ranges = token.ranges.map(([lo, hi]) => (lo === hi ? regexChar(lo) : `${regexChar(lo)}-${regexChar(hi)}`));
    return `[${ranges.join('')}]`;
  });
  return `^${body.join('')}$`;
}

/**
 * Whether a transformation or table-settings locator names many objects. Those rules are written with
 * `%` for "any"; an `_` there is read as part of the name (order_lines), as nearly every table name
 * that has one means it.
 */
export function matchesMany(locator: string): boolean {
  return locator.includes('%');
}

/** A pattern matching exactly `name`: the wildcard characters and the schema separator in brackets. */
export function literalPattern(name: string): string {
  return name.replace(/[%_[.]/g, (ch) => `[${ch}]`);
}
