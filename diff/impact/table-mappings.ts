// What changed in a task's TableMappings, rule by rule: selection, transformation and table-settings
// rules are matched by rule-name (pgferry's names are stable in plan order), so a review reads "rename-1
// added" rather than "TableMappings changed".

import { compareText } from '../../contracts/compare.js';
import { sameJson } from './consequence.js';

interface MappingRule {
  readonly 'rule-type'?: unknown;
  readonly 'rule-name'?: unknown;
}

function rulesOf(value: unknown): Map<string, MappingRule> {
  const out = new Map<string, MappingRule>();
  // Artifacts are read with embedded JSON documents already parsed (diff/normalise.ts); accept both.
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return out;
    }
  }
  if (parsed === null || typeof parsed !== 'object') return out;
  const rules = (parsed as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return out;
  for (const rule of rules as MappingRule[]) {
    // Rule ids renumber when a rule is inserted before others; compare without them.
    const { 'rule-id': _id, ...rest } = rule as Record<string, unknown>;
    out.set(String(rule['rule-name']), rest);
  }
  return out;
}

/** `TableMappings: <rule-type> <rule-name> added|removed|changed`, one line per rule, by name. */
export function tableMappingChanges(before: unknown, after: unknown): string[] {
  const a = rulesOf(before);
  const b = rulesOf(after);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort(compareText);
  const lines: string[] = [];
  for (const name of names) {
    const old = a.get(name);
    const now = b.get(name);
    const type = String((now ?? old)?.['rule-type'] ?? 'rule');
    if (!old) lines.push(`TableMappings: ${type} ${name} added`);
    else if (!now) lines.push(`TableMappings: ${type} ${name} removed`);
    else if (!sameJson(old, now)) lines.push(`TableMappings: ${type} ${name} changed`);
  }
  return lines.length > 0 ? lines : ['TableMappings: rule ids renumbered'];
}

/** Transformations that change what the target's tables look like: adding or removing one needs a restart. */
export function schemaAltering(before: unknown, after: unknown): boolean {
  const a = rulesOf(before);
  const b = rulesOf(after);
  const transformations = (rules: Map<string, MappingRule>) =>
    [...rules.values()].filter((rule) => rule['rule-type'] === 'transformation');
  return !sameJson(transformations(a), transformations(b));
}
