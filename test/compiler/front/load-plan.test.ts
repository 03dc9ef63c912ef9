import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../compiler/front/load-plan.js';
import { MAX_PLAN_BYTES } from '../../../compiler/front/parse-plan.js';

const orders = readFileSync('plans/orders.yaml', 'utf8');

/** orders.yaml with one line (1-based) replaced by `lines`. */
function editLine(line: number, ...lines: string[]): string {
  const all = orders.split('\n');
  all.splice(line - 1, 1, ...lines);
  return all.join('\n');
}

const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  '',
].join('\n');

interface Case {
  readonly name: string;
  readonly input: string | Uint8Array;
  readonly code: string;
  /** `line:col` of the diagnostic, or null for a file-level one. */
  readonly at: string | null;
  readonly message?: RegExp;
  readonly hint?: RegExp;
}

const cases: Case[] = [
  {
    name: 'duplicate key',
    input: editLine(11, '  port: 5432', '  port: 5433'),
    code: 'PGF1002',
    at: '12:3',
    message: /"port"/,
  },
  {
    name: 'invalid UTF-8',
    input: Buffer.concat([Buffer.from('version: 1\nname: caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
    code: 'PGF1006',
    at: '2:10',
  },
  { name: 'binary (NUL bytes)', input: 'version: 1\n\u0000\u0001', code: 'PGF1006', at: '2:1' },
  { name: 'alias bomb', input: aliasBomb, code: 'PGF1004', at: '2:8' },
  { name: 'tab indentation', input: editLine(11, '\tport: 5432'), code: 'PGF1009', at: '11:1' },
  { name: 'empty file', input: '', code: 'PGF1005', at: '1:1' },
  { name: 'comments only', input: '# nothing here\n', code: 'PGF1005', at: '1:1' },
  { name: 'two documents', input: `${orders}---\nversion: 1\n`, code: 'PGF1003', at: '61:1' },
  { name: '5,000-deep nesting', input: `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, code: 'PGF1008', at: '1:' },
  { name: 'malformed YAML', input: editLine(13, '  databases: [orders'), code: 'PGF1001', at: '14:' },
  { name: 'file too large', input: `# ${'x'.repeat(MAX_PLAN_BYTES)}\n`, code: 'PGF1007', at: '1:1' },
  {
    name: 'version written as a number',
    input: editLine(12, '  version: 9.6'),
    code: 'PGF2009',
    at: '12:12',
    message: /9\.6 is a YAML number/,
    hint: /"9\.6"/,
  },
  {
    name: 'unknown key with suggestion',
    input: editLine(11, '  prot: 5432'),
    code: 'PGF2001',
    at: '11:3',
    message: /unknown key "prot" in source/,
    hint: /did you mean "port"\?/,
  },
  {
    name: 'missing required key',
    input: editLine(10, ''),
    code: 'PGF2002',
    at: '9:1',
    message: /source is missing the required key "host"/,
  },
  {
    name: 'literal password',
    input: editLine(16, '    password: hunter2'),
    code: 'PGF2008',
    at: '16:15',
    message: /source\.migration_user\.password is a literal string/,
    hint: /\{ssm: /,
  },
  {
    name: 'enum value',
    input: editLine(18, '  auth_method: trust'),
    code: 'PGF2004',
    at: '18:16',
    message: /allowed: md5, scram-sha-256/,
  },
  { name: 'wrong type', input: editLine(11, '  port: "5432"'), code: 'PGF2003', at: '11:9' },
  { name: 'duplicate list item', input: editLine(13, '  databases: [orders, orders]'), code: 'PGF2007', at: '13:' },
  { name: 'not a mapping', input: '- just\n- a list\n', code: 'PGF2003', at: '1:1' },
];

describe('loadPlan diagnostics', () => {
  it.each(cases)('$name → $code at $at', async ({ input, code, at, message, hint }) => {
    const result = await loadPlan('plans/bad.yaml', input);
    expect(result.plan).toBeNull();
    const diagnostic = result.diagnostics.find((d) => d.code === code);
    expect(diagnostic, JSON.stringify(result.diagnostics, null, 2)).toBeDefined();
    const position = diagnostic!.span ? `${diagnostic!.span.start.line}:${diagnostic!.span.start.col}` : null;
    if (at === null) expect(position).toBeNull();
    else expect(position).toMatch(new RegExp(`^${at}`));
    if (message) expect(diagnostic!.message).toMatch(message);
    if (hint) expect(diagnostic!.hint).toMatch(hint);
    expect(diagnostic!.file).toBe('plans/bad.yaml');
  });

  it('reports each problem once, sorted by position', async () => {
    const text = editLine(11, '  prot: 5432', '  bogus: 1').replace('auth_method: md5', 'auth_method: trust');
    const { diagnostics } = await loadPlan('p.yaml', text);
    expect(diagnostics.map((d) => `${d.code}@${d.span?.start.line}`)).toEqual([
      'PGF2001@11',
      'PGF2001@12',
      'PGF2004@19',
    ]);
  });

  it('never echoes a literal secret', async () => {
    const { diagnostics } = await loadPlan('p.yaml', editLine(16, '    password: hunter2'));
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
  });

  it('an unreadable file is a PGF1010 diagnostic, not an exception', async () => {
    const { diagnostics } = await loadPlan('/nonexistent/plan.yaml');
    expect(diagnostics.map((d) => d.code)).toEqual(['PGF1010']);
  });

  it('locate() maps pointers, including defaulted ones, to the nearest written place', async () => {
    const { plan, locate } = await loadPlan('plans/orders.yaml', orders);
    expect(plan).not.toBeNull();
    expect(locate('/source/port')).toEqual({ start: { line: 11, col: 9 }, end: { line: 11, col: 13 } });
    expect(locate('/dms/tasks/0/id')?.start).toEqual({ line: 50, col: 11 });
    expect(locate('/source/settings/wal_level')?.start).toEqual({ line: 9, col: 1 });
    expect(locate('/source/version/num')?.start).toEqual({ line: 12, col: 12 });
  });
});
