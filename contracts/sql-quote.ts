// Quoting for SQL text pgferry builds, in one place for the agent, the executor, the catalog reader, the
// verifier and the compiler's emitters: an identifier in double quotes, a literal in single quotes, each
// with its quote character doubled (standard_conforming_strings is on in every supported version).

/** `orders` → `"orders"`, `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `it's` → `'it''s'`. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
