// GUC values: validation against pg_settings, normalisation to the setting's base unit (so "50GB" and
// 51200 with unit MB compare equal), and rendering of ALTER SYSTEM statements. List GUCs are JSON
// arrays, one literal per element, and an empty list is a RESET, never `= ''` (community.postgresql#744).

import type { GucValue } from '../../contracts/bundle.js';
import { quoteLiteral } from '../../contracts/sql-quote.js';
import { AgentError } from '../errors.js';

export interface SettingRow {
  readonly name: string;
  readonly setting: string;
  readonly unit: string | null;
  readonly vartype: 'bool' | 'integer' | 'real' | 'string' | 'enum';
  readonly context: string;
  readonly source: string;
  readonly sourcefile: string | null;
  readonly sourceline: number | null;
  readonly boot_val: string | null;
  readonly reset_val: string | null;
  readonly min_val: string | null;
  readonly max_val: string | null;
  readonly enumvals: string[] | null;
  readonly pending_restart: boolean;
}

/** GUCs whose value is a list (GUC_LIST_INPUT) among those the agent may manage. */
export const LIST_GUCS = new Set([
  'shared_preload_libraries',
  'session_preload_libraries',
  'local_preload_libraries',
  'search_path',
]);

const MEMORY_UNITS: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

function unitFactor(unit: string): { kind: 'memory' | 'time'; factor: number } | null {
  const m = /^(\d+)?(B|kB|MB|GB|TB|us|ms|s|min|h|d)$/.exec(unit);
  if (!m) return null;
  const mult = m[1] ? Number(m[1]) : 1;
  const base = m[2]!;
  if (base in MEMORY_UNITS) return { kind: 'memory', factor: mult * MEMORY_UNITS[base]! };
  return { kind: 'time', factor: mult * TIME_UNITS[base]! };
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The value as pg_settings.setting would show it (base unit, canonical booleans), or an AgentError.
 * For lists, the elements joined by ", " (how ALTER SYSTEM writes them back).
 */
export function normalise(row: SettingRow, value: GucValue): string {
  const fail = (why: string) =>
    new AgentError('INVALID_VALUE', `${row.name}: ${why}`, { details: [{ name: row.name, value }] });
  if (Array.isArray(value) || LIST_GUCS.has(row.name)) {
    const items = Array.isArray(value)
      ? value
      : String(value)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
    for (const item of items) {
      if (CONTROL.test(item))
        throw new AgentError('INVALID_CHARACTERS', `${row.name}: control characters are not allowed`, {
          details: [{ name: row.name }],
        });
      if (!/^[A-Za-z0-9_.$/-]+$/.test(item)) throw fail(`list element '${item}' is not a plain name`);
    }
    if (!LIST_GUCS.has(row.name)) throw fail('is not a list setting');
    return items.join(', ');
  }
  const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  if (CONTROL.test(text))
    throw new AgentError('INVALID_CHARACTERS', `${row.name}: control characters are not allowed`, {
      details: [{ name: row.name }],
    });
  switch (row.vartype) {
    case 'bool': {
      const t = text.toLowerCase();
      if (['on', 'true', 'yes', '1', 't', 'y'].includes(t)) return 'on';
      if (['off', 'false', 'no', '0', 'f', 'n'].includes(t)) return 'off';
      throw fail(`'${text}' is not a boolean`);
    }
    case 'enum': {
      const allowed = row.enumvals ?? [];
      const match = allowed.find((v) => v.toLowerCase() === text.toLowerCase());
      if (match === undefined) throw fail(`'${text}' is not one of ${allowed.join(', ')}`);
      return match;
    }
    case 'integer':
    case 'real': {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
      if (!m) throw fail(`'${text}' is not a number`);
      let n = Number(m[1]);
      const given = m[2]!;
      if (given !== '') {
        const from = unitFactor(given);
        const to = row.unit ? unitFactor(row.unit) : null;
        if (!from || !to || from.kind !== to.kind)
          throw fail(`unit '${given}' does not apply (base unit ${row.unit ?? 'none'})`);
        n = (n * from.factor) / to.factor;
      }
      if (row.vartype === 'integer') {
        if (!Number.isInteger(n)) throw fail(`'${text}' is not a whole number of ${row.unit ?? 'units'}`);
      }
      if (row.min_val !== null && n < Number(row.min_val)) throw fail(`${n} is below the minimum ${row.min_val}`);
      if (row.max_val !== null && n > Number(row.max_val)) throw fail(`${n} is above the maximum ${row.max_val}`);
      return String(n);
    }
    default:
      return text;
  }
}

/** Normalised form of what a file says (pg_file_settings.setting), or null when it does not parse. */
export function normaliseFileValue(row: SettingRow, raw: string): string | null {
  try {
    return normalise(
      row,
      LIST_GUCS.has(row.name)
        ? raw
            .split(',')
            .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
            .filter((s) => s !== '')
        : raw,
    );
  } catch {
    return null;
  }
}

/** One ALTER SYSTEM statement; names were validated against pg_settings before getting here. */
export function alterSystemSql(name: string, normalised: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name))
    throw new AgentError('UNKNOWN_SETTING', `invalid setting name '${name}'`);
  if (LIST_GUCS.has(name)) {
    const items = normalised === '' ? [] : normalised.split(', ');
    return items.length === 0
      ? `ALTER SYSTEM RESET ${name}`
      : `ALTER SYSTEM SET ${name} = ${items.map(quoteLiteral).join(', ')}`;
  }
  return `ALTER SYSTEM SET ${name} = ${quoteLiteral(normalised)}`;
}

export function resetSql(name: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name))
    throw new AgentError('UNKNOWN_SETTING', `invalid setting name '${name}'`);
  return `ALTER SYSTEM RESET ${name}`;
}

/** `name = 'value'` lines of postgresql.auto.conf (the format ALTER SYSTEM writes), in file order. */
export function parseAutoConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2)
      value = value.slice(1, -1).replaceAll("''", "'");
    out.set(m[1]!, value);
  }
  return out;
}

/** The ALTER SYSTEM raw value form for a value read back from postgresql.auto.conf. */
export function alterSystemRawSql(name: string, rawValue: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name))
    throw new AgentError('UNKNOWN_SETTING', `invalid setting name '${name}'`);
  if (LIST_GUCS.has(name)) {
    const items = rawValue
      .split(',')
      .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
      .filter((s) => s !== '');
    return items.length === 0 ? resetSql(name) : `ALTER SYSTEM SET ${name} = ${items.map(quoteLiteral).join(', ')}`;
  }
  return `ALTER SYSTEM SET ${name} = ${quoteLiteral(rawValue)}`;
}
