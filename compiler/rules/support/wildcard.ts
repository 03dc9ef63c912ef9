// DMS selection-rule wildcards (reference/dms.md §6.1): `%` any run, `_` one character, `[_]` a literal
// underscore, `[ab]` a set, `[a-d]` a range. Names are case-sensitive.

type Token =
  | { readonly kind: 'any' }
  | { readonly kind: 'one' }
  | { readonly kind: 'set'; readonly test: (ch: string) => boolean }
  | { readonly kind: 'literal'; readonly ch: string };

export function tokenize(pattern: string): Token[] | null {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '%') tokens.push({ kind: 'any' });
    else if (ch === '_') tokens.push({ kind: 'one' });
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
      tokens.push({ kind: 'set', test: (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi) });
      i = close;
    } else tokens.push({ kind: 'literal', ch });
  }
  return tokens;
}

/** Whether a concrete name matches a DMS wildcard pattern. */
export function matchesWildcard(pattern: string, name: string): boolean {
  const tokens = tokenize(pattern);
  if (!tokens) return pattern === name;
  const memo = new Map<string, boolean>();
  const walk = (t: number, n: number): boolean => {
    const key = `${t},${n}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    const token = tokens[t];
    if (!token) result = n === name.length;
    else if (token.kind === 'any') result = walk(t + 1, n) || (n < name.length && walk(t, n + 1));
    else if (n >= name.length) result = false;
    else if (token.kind === 'one') result = walk(t + 1, n + 1);
    else if (token.kind === 'set') result = token.test(name[n]!) && walk(t + 1, n + 1);
    else result = token.ch === name[n] && walk(t + 1, n + 1);
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}

function tokensIntersect(a: Token, b: Token): boolean {
  if (a.kind === 'one' || b.kind === 'one') return true;
  if (a.kind === 'literal' && b.kind === 'literal') return a.ch === b.ch;
  if (a.kind === 'literal' && b.kind === 'set') return b.test(a.ch);
  if (a.kind === 'set' && b.kind === 'literal') return a.test(b.ch);
  // Two sets: assume they can share a character rather than enumerate the alphabet.
  return true;
}

/**
 * Whether some name matches both patterns (language intersection of two wildcard patterns). Used to
 * find tables two tasks would both load without a catalog.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const ta = tokenize(a);
  const tb = tokenize(b);
  if (!ta || !tb) return a === b;
  const memo = new Map<string, boolean>();
  const walk = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const x = ta[i];
    const y = tb[j];
    let result: boolean;
    if (!x && !y) result = true;
    else if (x?.kind === 'any') result = walk(i + 1, j) || (y !== undefined && walk(i, j + 1));
    else if (y?.kind === 'any') result = walk(i, j + 1) || (x !== undefined && walk(i + 1, j));
    else if (!x || !y) result = false;
    else result = tokensIntersect(x, y) && walk(i + 1, j + 1);
    memo.set(key, result);
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
