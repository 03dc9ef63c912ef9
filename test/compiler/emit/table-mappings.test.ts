// TableMappings rules as AWS documents them (reference/dms.md §6): the example plan's transformations and
// table settings read from YAML through the whole front end, emitted with AWS's own keys and numbering.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { tableMappings } from '../../../compiler/emit/table-mappings.js';
import { compilePlan } from '../../../compiler/index.js';

describe('table mappings of plans/ledger.yaml', async () => {
  const result = await compilePlan('plans/ledger.yaml', { text: readFileSync('plans/ledger.yaml') });
  const task = result.plan!.dms.tasks[0]!;

  test('selection, then transformation, then table-settings rules, numbered in that order', () => {
    const { rules } = tableMappings(task);
    expect(rules.map((rule) => [rule['rule-id'], rule['rule-type'], rule['rule-name']])).toEqual([
      ['1', 'selection', 'include-1'],
      ['2', 'selection', 'exclude-1'],
      ['3', 'transformation', 'rename-1'],
      ['4', 'transformation', 'remove-column-2'],
      ['5', 'transformation', 'add-column-3'],
      ['6', 'transformation', 'convert-lowercase-4'],
      ['7', 'table-settings', 'table-settings-1'],
      ['8', 'table-settings', 'table-settings-2'],
    ]);
  });

  test('each rule carries exactly the keys AWS documents for its action', () => {
    const { rules } = tableMappings(task);
    expect(rules.slice(2)).toEqual([
      {
        'rule-type': 'transformation',
        'rule-id': '3',
        'rule-name': 'rename-1',
        'rule-target': 'schema',
        'rule-action': 'rename',
        'object-locator': { 'schema-name': 'legacy' },
        value: 'books',
      },
      {
        'rule-type': 'transformation',
        'rule-id': '4',
        'rule-name': 'remove-column-2',
        'rule-target': 'column',
        'rule-action': 'remove-column',
        'object-locator': { 'schema-name': 'legacy', 'table-name': 'entries', 'column-name': 'amount_abs' },
      },
      {
        'rule-type': 'transformation',
        'rule-id': '5',
        'rule-name': 'add-column-3',
        'rule-target': 'column',
        'rule-action': 'add-column',
        'object-locator': { 'schema-name': 'legacy', 'table-name': 'customers' },
        value: 'display_name',
        'data-type': { type: 'string', length: 200 },
        expression: "$first_name||' '||$last_name",
      },
      {
        'rule-type': 'transformation',
        'rule-id': '6',
        'rule-name': 'convert-lowercase-4',
        'rule-target': 'column',
        'rule-action': 'convert-lowercase',
        'object-locator': { 'schema-name': 'legacy', 'table-name': '%', 'column-name': '%' },
      },
      {
        'rule-type': 'table-settings',
        'rule-id': '7',
        'rule-name': 'table-settings-1',
        'object-locator': { 'schema-name': 'legacy', 'table-name': 'entries' },
        'parallel-load': {
          type: 'ranges',
          columns: ['id'],
          boundaries: [['250000000'], ['500000000'], ['750000000']],
        },
      },
      {
        'rule-type': 'table-settings',
        'rule-id': '8',
        'rule-name': 'table-settings-2',
        'object-locator': { 'schema-name': 'legacy', 'table-name': 'attachments' },
        'lob-settings': { mode: 'limited', 'bulk-max-size': '20480' },
      },
    ]);
  });

  test('the target SQL finds the tables under their new schema', () => {
    const sequences = result.artifacts.find((a) => a.path === 'target/accounting/sequences.sql')!.content;
    expect(sequences).toContain("CASE WHEN r.schema ~ '^legacy$' THEN 'books' ELSE r.schema END AS schema");
    const prepare = result.artifacts.find((a) => a.path === 'target/accounting/prepare.sql')!.content;
    expect(prepare).toContain("('books.%', '^books$', '^.*$')");
  });
});
