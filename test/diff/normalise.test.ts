import { describe, expect, it } from 'vitest';
import { diffArtifacts } from '../../diff/artifact-diff.js';
import { expandEmbeddedJson, normaliseContent } from '../../diff/normalise.js';

describe('normalised artifacts', () => {
  it('ignores key order and JSON layout', () => {
    const before = [{ path: 'dms/a.json', content: '{"b":1,"a":{"y":2,"x":1}}' }];
    const after = [{ path: 'dms/a.json', content: '{\n  "a": { "x": 1, "y": 2 },\n  "b": 1\n}\n' }];
    expect(diffArtifacts(before, after)).toEqual([]);
  });

  it('expands JSON that DMS takes as a string, so one changed rule is one changed line', () => {
    const mappings = (table: string) =>
      JSON.stringify({ rules: [{ 'rule-type': 'selection', 'object-locator': { 'table-name': table } }] });
    const before = [{ path: 'dms/tasks/t.json', content: JSON.stringify({ TableMappings: mappings('%') }) }];
    const after = [{ path: 'dms/tasks/t.json', content: JSON.stringify({ TableMappings: mappings('orders') }) }];
    const [change] = diffArtifacts(before, after);
    expect(change).toMatchObject({ path: 'dms/tasks/t.json', status: 'changed', additions: 1, deletions: 1 });
    expect(change!.patch).toContain('-          "table-name": "%"');
    expect(change!.patch).toContain('+          "table-name": "orders"');
    expect(change!.patch.startsWith('--- a/dms/tasks/t.json\n+++ b/dms/tasks/t.json\n')).toBe(true);
  });

  it('keeps strings that only look like JSON', () => {
    expect(expandEmbeddedJson({ a: '{not json', b: '[1, 2]', c: '42' })).toEqual({
      a: '{not json',
      b: [1, 2],
      c: '42',
    });
  });

  it('normalises line endings and the final newline of text artifacts', () => {
    expect(normaliseContent('target/orders/prepare.sql', 'SELECT 1;\r\nSELECT 2;')).toBe('SELECT 1;\nSELECT 2;\n');
  });

  it('shows added and removed artifacts against /dev/null and skips the manifest', () => {
    const changes = diffArtifacts(
      [
        { path: 'old.sql', content: 'a\n' },
        { path: 'MANIFEST.json', content: '{"a":1}' },
      ],
      [
        { path: 'new.sql', content: 'b\n' },
        { path: 'MANIFEST.json', content: '{"a":2}' },
      ],
    );
    expect(changes.map((c) => [c.path, c.status])).toEqual([
      ['new.sql', 'added'],
      ['old.sql', 'removed'],
    ]);
    expect(changes[0]!.patch).toContain('--- /dev/null\n+++ b/new.sql');
    expect(changes[1]!.patch).toContain('--- a/old.sql\n+++ /dev/null');
  });
});
