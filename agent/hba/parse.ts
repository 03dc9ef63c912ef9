// A strict pg_hba.conf parser. It keeps every raw line (so the writer can leave unmanaged bytes alone),
// and turns rule lines into records for the lock-out simulation. On PostgreSQL 9.x it is the only
// validation there is (no pg_hba_file_rules), so it rejects what the server would reject at load time.

import { parseAddress, parseCidr } from '../../contracts/cidr.js';

export type HbaType = 'local' | 'host' | 'hostssl' | 'hostnossl' | 'hostgssenc' | 'hostnogssenc';

export interface HbaRecord {
  /** 1-based line of the rule's first physical line. */
  readonly line: number;
  readonly type: HbaType;
  readonly databases: readonly string[];
  readonly users: readonly string[];
  /** CIDR, hostname, keyword (all, samehost, samenet) or null for local. */
  readonly address: string | null;
  readonly method: string;
  readonly options: readonly string[];
}

export interface HbaProblem {
  readonly line: number;
  readonly error: string;
}

export interface ParsedHba {
  readonly records: readonly HbaRecord[];
  readonly problems: readonly HbaProblem[];
}

const TYPES_BY_VERSION: readonly [HbaType, number][] = [
  ['local', 0],
  ['host', 0],
  ['hostssl', 0],
  ['hostnossl', 0],
  ['hostgssenc', 120000],
  ['hostnogssenc', 120000],
];

const METHODS_BY_VERSION: readonly [string, number][] = [
  ['trust', 0],
  ['reject', 0],
  ['md5', 0],
  ['password', 0],
  ['gss', 0],
  ['sspi', 0],
  ['ident', 0],
  ['peer', 0],
  ['pam', 0],
  ['ldap', 0],
  ['radius', 0],
  ['cert', 0],
  ['bsd', 0],
  ['scram-sha-256', 100000],
];

interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/** Splits one logical line into tokens, honouring quotes and stopping at an unquoted '#'. */
export function tokenize(line: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') break;
    let text = '';
    let quoted = false;
    while (i < line.length && !/[ \t\r]/.test(line[i]!)) {
      if (line[i] === '#' && !quoted) break;
      if (line[i] === '"') {
        quoted = true;
        i++;
        let closed = false;
        while (i < line.length) {
          if (line[i] === '"') {
            if (line[i + 1] === '"') {
              text += '"';
              i += 2;
              continue;
            }
            closed = true;
            i++;
            break;
          }
          text += line[i];
          i++;
        }
        if (!closed) return 'unterminated quoted string';
        continue;
      }
      text += line[i];
      i++;
    }
    tokens.push({ text, quoted });
  }
  return tokens;
}

function splitList(token: Token): string[] {
  // A comma-separated list; quoted members keep their text (a quoted "all" is a name, marked with quotes).
  return token.quoted ? [`"${token.text}"`] : token.text.split(',').filter((item) => item !== '');
}

/** Validates `addr/len` (or a bare address, which needs a netmask column), with the compiler's parser. */
export function checkCidr(text: string): string | null {
  if (!text.includes('/')) return parseAddress(text) === null ? `invalid IP address "${text}"` : null;
  const parsed = parseCidr(text);
  if (parsed.ok) return null;
  const addr = text.slice(0, text.indexOf('/'));
  return parseAddress(addr) === null ? `invalid IP address "${addr}"` : `invalid CIDR mask in address "${text}"`;
}

export function parseHba(text: string, versionNum: number): ParsedHba {
  const records: HbaRecord[] = [];
  const problems: HbaProblem[] = [];
  const types = new Set(TYPES_BY_VERSION.filter(([, min]) => versionNum >= min).map(([t]) => t));
  const methods = new Set(METHODS_BY_VERSION.filter(([, min]) => versionNum >= min).map(([m]) => m));
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    let logical = lines[index]!;
    // Backslash continuation arrived in 14; earlier servers treat the backslash as part of a token.
    while (versionNum >= 140000 && /\\\r?$/.test(logical) && index + 1 < lines.length) {
      logical = logical.replace(/\\\r?$/, ' ') + lines[++index];
    }
    const tokens = tokenize(logical);
    if (typeof tokens === 'string') {
      problems.push({ line: lineNo, error: tokens });
      continue;
    }
    if (tokens.length === 0) continue;
    const first = tokens[0]!.text;
    if (['include', 'include_if_exists', 'include_dir'].includes(first) && !tokens[0]!.quoted) {
      if (versionNum < 160000) problems.push({ line: lineNo, error: `invalid connection type "${first}"` });
      continue;
    }
    if (!types.has(first as HbaType)) {
      problems.push({ line: lineNo, error: `invalid connection type "${first}"` });
      continue;
    }
    const type = first as HbaType;
    const isLocal = type === 'local';
    const needed = isLocal ? 4 : 5;
    if (tokens.length < needed) {
      problems.push({
        line: lineNo,
        error: `end-of-line before ${tokens.length < 3 ? 'role' : isLocal ? 'authentication method' : 'IP address'} specification`,
      });
      continue;
    }
    const databases = splitList(tokens[1]!);
    const users = splitList(tokens[2]!);
    let cursor = 3;
    let address: string | null = null;
    if (!isLocal) {
      address = tokens[cursor++]!.text;
      const keyword = ['all', 'samehost', 'samenet'].includes(address);
      const looksIp = /^[0-9a-fA-F:.]+(\/.*)?$/.test(address) && /[.:]/.test(address);
      if (!keyword && looksIp) {
        const problem = checkCidr(address);
        if (problem) {
          problems.push({ line: lineNo, error: problem });
          continue;
        }
        if (!address.includes('/')) {
          const mask = tokens[cursor++];
          if (!mask || parseAddress(mask.text) === null) {
            problems.push({ line: lineNo, error: `invalid IP mask "${mask?.text ?? ''}"` });
            continue;
          }
          address = `${address}/${mask.text}`;
        }
      }
    }
    const method = tokens[cursor++]?.text;
    if (method === undefined) {
      problems.push({ line: lineNo, error: 'end-of-line before authentication method' });
      continue;
    }
    if (!methods.has(method)) {
      problems.push({ line: lineNo, error: `invalid authentication method "${method}"` });
      continue;
    }
    if (method === 'peer' && !isLocal) {
      problems.push({ line: lineNo, error: 'peer authentication is only supported on local sockets' });
      continue;
    }
    const options = tokens.slice(cursor).map((t) => t.text);
    const badOption = options.find((o) => !o.includes('='));
    if (badOption !== undefined) {
      problems.push({ line: lineNo, error: `authentication option not in name=value format: ${badOption}` });
      continue;
    }
    records.push({ line: lineNo, type, databases, users, address, method, options });
  }
  return { records, problems };
}
