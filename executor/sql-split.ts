// Splits a SQL script into statements at top-level semicolons, skipping quotes, dollar quotes and
// comments. Needed only for scripts with statements PostgreSQL refuses inside a transaction block.

export function splitSql(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (text !== '' && !/^(--[^\n]*\n?|\s)*$/.test(text)) statements.push(text);
  };
  while (i < script.length) {
    const ch = script[i]!;
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end + 1;
    } else if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? script.length : end + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < script.length) {
        if (script[j] === ch) {
          if (script[j + 1] === ch) j += 2;
          else break;
        } else j += 1;
      }
      i = j + 1;
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$/.exec(script.slice(i));
      if (tag) {
        const end = script.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? script.length : end + tag[0].length;
      } else i += 1;
    } else if (ch === ';') {
      push(i);
      start = i + 1;
      i += 1;
    } else i += 1;
  }
  push(script.length);
  return statements;
}

const NON_TRANSACTIONAL =
  /\b(CONCURRENTLY|ALTER\s+SYSTEM|VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|REINDEX\s+DATABASE)\b/i;

/** True when the script holds a statement that cannot run inside BEGIN … COMMIT. */
export function needsAutocommit(script: string): boolean {
  return splitSql(script).some((statement) => NON_TRANSACTIONAL.test(statement.replace(/--[^\n]*/g, '')));
}
