import { describe, test } from 'vitest';
import { engineVersionRule } from '../../../compiler/rules/engine-version.js';
import { versionsRule } from '../../../compiler/rules/versions.js';
import { basePlan, expectRow, pgVersion, planWith, type Row } from './builders.js';

describe('versions', () => {
  const rows: Row[] = [
    { name: 'seed plan 9.5 → 9.5 passes', plan: basePlan, want: [] },
    {
      name: 'source 9.3 is unsupported',
      plan: planWith({ source: { version: pgVersion('9.3.25') } }),
      want: ['PGF3001@/source/version'],
      words: ['9.3.25', 'not supported'],
    },
    {
      name: 'source 9.4 is below what pgferry supports',
      plan: planWith({ source: { version: pgVersion('9.4.26') } }),
      want: ['PGF3001@/source/version'],
      words: ['9.5 or later'],
    },
    {
      name: 'downgrade 13 → 12 is an error',
      plan: planWith({ source: { version: pgVersion('13.14') }, target: { version: pgVersion('12.20') } }),
      want: ['PGF3002@/target/version'],
      words: ['older than source'],
    },
    {
      name: 'minor differences within a major are fine',
      plan: planWith({ source: { version: pgVersion('9.5.21') }, target: { version: pgVersion('9.5.3') } }),
      want: [],
    },
    {
      name: 'RDS 10.4 is explicitly unsupported',
      plan: planWith({ source: { version: pgVersion('10.4') }, target: { version: pgVersion('10.4') } }),
      want: ['PGF3003@/target/version'],
      words: ['10.4'],
    },
    {
      name: 'self-managed 10.4 target is not flagged',
      plan: planWith({
        source: { version: pgVersion('10.4') },
        target: { kind: 'self-managed', version: pgVersion('10.4') },
      }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(versionsRule, row));
});

describe('engine-version', () => {
  const at = (engine: string, source: string, target: string) =>
    planWith({
      source: { version: pgVersion(source) },
      target: { version: pgVersion(target) },
      dms: { replication_instance: { engine_version: engine } },
    });
  const rows: Row[] = [
    { name: '3.5.4 handles 9.5 → 9.5', plan: basePlan, want: [] },
    { name: '3.5.3 handles 16 → 16', plan: at('3.5.3', '16.4', '16.4'), want: [] },
    {
      name: '3.5.4 cannot read a PostgreSQL 17 source',
      plan: at('3.5.4', '17.2', '17.2'),
      want: ['PGF3004@/dms/replication_instance/engine_version'],
      words: ['17', 'source', '3.6.1'],
    },
    { name: '3.5.4 can write a PostgreSQL 17 target', plan: at('3.5.4', '16.4', '17.2'), want: [] },
    {
      name: 'retired 3.4.7 with a 15 target fails twice',
      plan: at('3.4.7', '13.14', '15.8'),
      want: ['PGF3004@/dms/replication_instance/engine_version', 'PGF3006@/dms/replication_instance/engine_version'],
    },
    {
      name: 'unknown engine version is a warning',
      plan: at('3.9.9', '13.14', '16.4'),
      want: ['PGF3005@/dms/replication_instance/engine_version'],
      words: ['3.9.9'],
    },
    {
      name: 'malformed engine version',
      plan: at('latest', '13.14', '16.4'),
      want: ['PGF3005@/dms/replication_instance/engine_version'],
      words: ['major.minor.patch'],
    },
    {
      name: 'PostgreSQL 19 is unknown to every engine',
      plan: at('3.6.1', '16.4', '19.0'),
      want: ['PGF3004@/target/version'],
      words: ['19'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(engineVersionRule, row));
});
