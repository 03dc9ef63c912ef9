// Rule findings through the whole front end: every pointer a rule reports resolves to a place in the
// YAML file, including pointers into fields the plan left to their defaults.

import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { compilePlan } from '../../../compiler/index.js';

const file = fileURLToPath(new URL('./fixtures/many-problems.yaml', import.meta.url));

test('every finding of a plan with many problems is located in the file', async () => {
  const result = await compilePlan(file);
  const rules = result.diagnostics.filter((d) => /^PGF3/.test(d.code));
  expect(rules.length).toBeGreaterThan(25);
  for (const diagnostic of rules) {
    expect(diagnostic.span, `${diagnostic.code} ${diagnostic.pointer}`).not.toBeNull();
    for (const note of diagnostic.notes) if (note.file) expect(note.span, note.message).toBeDefined();
  }
  const at = (code: string) =>
    result.diagnostics.filter((d) => d.code === code).map((d) => `${d.span?.start.line}:${d.span?.start.col}`);
  // A few anchors: values written in the file are pointed at directly.
  expect(at('PGF3010')).toEqual(['18:28']); // max_replication_slots: 1
  expect(at('PGF3014')).toEqual(['19:25']); // wal_sender_timeout: 5000
  expect(at('PGF3101')).toEqual(['43:20']); // 10.0.1.7/24
  expect(at('PGF3102')).toEqual(['43:33']); // 0.0.0.0/0
  expect(at('PGF3400')).toEqual(['57:9']); // ErrorBehaviour
  // Defaulted fields (heartbeat was never written) point at the nearest written ancestor: the task.
  expect(at('PGF3313')).toEqual(['47:7', '58:7']);
  expect(result.graph).toBeNull();
});
