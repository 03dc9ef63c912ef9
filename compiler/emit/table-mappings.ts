// A task's TableMappings document (reference/dms.md §6): selection rules (includes then excludes),
// then transformation rules, then table-settings rules, numbered in that order so a rule id depends on
// nothing but the plan's order. Keys are AWS's own (`rule-type`, `rule-action`, `object-locator`, …).

import type { DmsDataType, TableSetting, Task, Transformation } from '../model/plan.js';

interface Locator {
  readonly 'schema-name': string;
  readonly 'table-name'?: string;
  readonly 'column-name'?: string;
}

interface SelectionRule {
  readonly 'rule-type': 'selection';
  readonly 'rule-id': string;
  readonly 'rule-name': string;
  readonly 'object-locator': Locator;
  readonly 'rule-action': 'include' | 'exclude';
}

interface TransformationRule {
  readonly 'rule-type': 'transformation';
  readonly 'rule-id': string;
  readonly 'rule-name': string;
  readonly 'rule-target': Transformation['target'];
  readonly 'rule-action': Transformation['action'];
  readonly 'object-locator': Locator;
  readonly value?: string;
  readonly 'old-value'?: string;
  readonly 'data-type'?: DmsDataTypeJson;
  readonly expression?: string;
}

interface DmsDataTypeJson {
  readonly type: DmsDataType['type'];
  readonly precision?: number;
  readonly scale?: number;
  readonly length?: number;
}

interface TableSettingsRule {
  readonly 'rule-type': 'table-settings';
  readonly 'rule-id': string;
  readonly 'rule-name': string;
  readonly 'object-locator': Locator;
  readonly 'parallel-load'?: Record<string, unknown>;
  readonly 'lob-settings'?: { readonly mode: string; readonly 'bulk-max-size'?: string };
}

export type MappingRule = SelectionRule | TransformationRule | TableSettingsRule;

/** `schema.table` → its object-locator; a bare schema selects every table of it. */
export function locatorOf(pattern: string): { 'schema-name': string; 'table-name': string } {
  const dot = pattern.indexOf('.');
  if (dot < 0) return { 'schema-name': pattern, 'table-name': '%' };
  return { 'schema-name': pattern.slice(0, dot), 'table-name': pattern.slice(dot + 1) };
}

/** The rule-name a transformation gets when the plan names none. */
export function transformationName(rule: Transformation, index: number): string {
  return rule.name ?? `${rule.action}-${index + 1}`;
}

export function tableSettingName(setting: TableSetting, index: number): string {
  return setting.name ?? `table-settings-${index + 1}`;
}

function transformationLocator(rule: Transformation): Locator {
  // add-column names the table it adds to; the new column's name is `value`.
  const column = rule.target === 'column' && rule.action !== 'add-column' ? rule.column : null;
  return {
    'schema-name': rule.schema,
    ...(rule.target === 'schema' || rule.table === null ? {} : { 'table-name': rule.table }),
    ...(column === null ? {} : { 'column-name': column }),
  };
}

function dataTypeJson(type: DmsDataType): DmsDataTypeJson {
  return {
    type: type.type,
    ...(type.precision === null ? {} : { precision: type.precision }),
    ...(type.scale === null ? {} : { scale: type.scale }),
    ...(type.length === null ? {} : { length: type.length }),
  };
}

function parallelLoadJson(setting: TableSetting): Record<string, unknown> | undefined {
  const load = setting.parallel_load;
  if (!load) return undefined;
  if (load.type === 'ranges') {
    // DMS's examples write boundary values as strings; numbers are written the same way.
    return { type: 'ranges', columns: [...load.columns], boundaries: load.boundaries.map((row) => row.map(String)) };
  }
  if (load.type === 'partitions-list') {
    return {
      type: 'partitions-list',
      partitions: [...load.partitions],
      ...(load.subpartitions.length > 0 ? { subpartitions: [...load.subpartitions] } : {}),
    };
  }
  return { type: load.type };
}

function lobSettingsJson(setting: TableSetting): TableSettingsRule['lob-settings'] {
  const lob = setting.lob;
  if (!lob) return undefined;
  return {
    mode: lob.mode,
    ...(lob.bulk_max_size_kb === null ? {} : { 'bulk-max-size': String(lob.bulk_max_size_kb) }),
  };
}

export function tableMappings(task: Task): { rules: MappingRule[] } {
  const rules: MappingRule[] = [];
  const nextId = (): string => String(rules.length + 1);
  const select = (pattern: string, action: 'include' | 'exclude', n: number): void => {
    rules.push({
      'rule-type': 'selection',
      'rule-id': nextId(),
      'rule-name': `${action}-${n}`,
      'object-locator': locatorOf(pattern),
      'rule-action': action,
    });
  };
  for (const [i, pattern] of task.tables.include.entries()) select(pattern, 'include', i + 1);
  for (const [i, pattern] of task.tables.exclude.entries()) select(pattern, 'exclude', i + 1);
  for (const [i, rule] of task.transformations.entries()) {
    rules.push({
      'rule-type': 'transformation',
      'rule-id': nextId(),
      'rule-name': transformationName(rule, i),
      'rule-target': rule.target,
      'rule-action': rule.action,
      'object-locator': transformationLocator(rule),
      ...(rule.value === null ? {} : { value: rule.value }),
      ...(rule.old_value === null ? {} : { 'old-value': rule.old_value }),
      ...(rule.data_type === null ? {} : { 'data-type': dataTypeJson(rule.data_type) }),
      ...(rule.expression === null ? {} : { expression: rule.expression }),
    });
  }
  for (const [i, setting] of task.table_settings.entries()) {
    const parallel = parallelLoadJson(setting);
    const lob = lobSettingsJson(setting);
    rules.push({
      'rule-type': 'table-settings',
      'rule-id': nextId(),
      'rule-name': tableSettingName(setting, i),
      'object-locator': locatorOf(setting.table),
      ...(parallel ? { 'parallel-load': parallel } : {}),
      ...(lob ? { 'lob-settings': lob } : {}),
    });
  }
  return { rules };
}
