// Schema rejections with a PostgreSQL or AWS meaning say the fact and what to write, at the value.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { loadPlan } from '../../../compiler/front/load-plan.js';

const seed = readFileSync('plans/orders.yaml', 'utf8');

function planText(path: (string | number)[], value: unknown): string {
  const doc = parseDocument(seed);
  doc.setIn(path, value);
  return doc.toString();
}

interface Row {
  readonly name: string;
  readonly path: (string | number)[];
  readonly value: unknown;
  readonly code: string;
  readonly words: readonly string[];
  readonly hint?: string;
}

const rows: Row[] = [
  {
    name: 'a source too old for logical decoding',
    path: ['source', 'version'],
    value: '9.3.25',
    code: 'PGF2005',
    words: ['source.version "9.3.25" is older than PostgreSQL 9.4', 'DMS needs 9.4 or later', 'logical decoding'],
    hint: 'pg_upgrade',
  },
  {
    name: 'a version that is not one',
    path: ['target', 'version'],
    value: '16.4.1',
    code: 'PGF2005',
    words: ['is not a PostgreSQL version', 'SHOW server_version'],
    hint: '"16.4"',
  },
  { name: 'port zero', path: ['target', 'port'], value: 0, code: 'PGF2006', words: ['not a TCP port', '1 to 65535'] },
  {
    name: 'a plan name with upper case',
    path: ['name'],
    value: 'Orders_EU',
    code: 'PGF2005',
    words: ['cannot be a plan name', 'DMS identifier'],
    hint: '"orders-eu"',
  },
  {
    name: 'a slot name with upper case and a hyphen',
    path: ['dms', 'tasks', 0, 'slot_name'],
    value: 'Orders-Slot',
    code: 'PGF2005',
    words: ['not a replication slot name', 'lowercase letters, digits and underscores'],
    hint: '"orders_slot"',
  },
  {
    name: 'a region written as a display name',
    path: ['dms', 'region'],
    value: 'Ireland',
    code: 'PGF2005',
    words: ['"Ireland" is not an AWS region code'],
    hint: 'eu-west-1',
  },
  {
    name: 'an RDS instance class',
    path: ['dms', 'replication_instance', 'class'],
    value: 'db.r5.large',
    code: 'PGF2005',
    words: ['not a DMS replication instance class'],
    hint: 'did you mean "dms.r5.large"?',
  },
  {
    name: 'an engine version with two parts',
    path: ['dms', 'replication_instance', 'engine_version'],
    value: '3.5',
    code: 'PGF2005',
    words: ['three numbers', '"3.5.4"'],
  },
  {
    name: 'storage over the DMS maximum',
    path: ['dms', 'replication_instance', 'allocated_storage'],
    value: 10000,
    code: 'PGF2006',
    words: ['10000 GB', '5 to 6144 GB'],
  },
  {
    name: 'too many parallel sub-tasks',
    path: ['dms', 'tasks', 0, 'full_load'],
    value: { max_sub_tasks: 64 },
    code: 'PGF2006',
    words: ['1 to 49 tables in parallel', 'MaxFullLoadSubTasks'],
  },
  {
    name: 'a table pattern without a schema',
    path: ['dms', 'tasks', 0, 'tables', 'include', 0],
    value: 'orders',
    code: 'PGF2005',
    words: ['not a table pattern', 'schema.table'],
    hint: 'public.%',
  },
  {
    name: 'an SSM reference without the leading slash',
    path: ['source', 'agent', 'token', 'ssm'],
    value: 'pgferry/orders/agent/token',
    code: 'PGF2005',
    words: ['not an SSM parameter path', 'starting with /'],
    hint: '"/pgferry/orders/agent/token"',
  },
  {
    name: 'an agent URL without a scheme',
    path: ['source', 'agent', 'url'],
    value: '10.0.2.15:8443',
    code: 'PGF2005',
    words: ['not an http:// or https:// URL'],
  },
];

describe('schema rejections in the user’s words', () => {
  test.each(rows)('$name', async (row) => {
    const { diagnostics } = await loadPlan('plan.yaml', planText(row.path, row.value));
    const finding = diagnostics.find((diagnostic) => diagnostic.code === row.code);
    expect(finding, JSON.stringify(diagnostics.map((d) => d.message))).toBeDefined();
    for (const word of row.words) expect(finding!.message).toContain(word);
    // The fact replaces the regular expression; the location stays at the value.
    expect(finding!.message).not.toMatch(/pattern \^|must be [<>]=/);
    expect(finding!.span?.start.line).toBeGreaterThan(1);
    if (row.hint) expect(finding!.hint ?? '').toContain(row.hint);
  });
});
