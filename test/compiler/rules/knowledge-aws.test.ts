// The AWS facts the rules check against: the region list must be what the SDK ships, and the DMS class
// table must say where it came from.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { AWS_REGIONS, AWS_REGIONS_SOURCE } from '../../../compiler/knowledge/aws-regions.generated.js';
import {
  DMS_INSTANCE_CLASSES,
  DMS_INSTANCE_CLASSES_SOURCE,
  DMS_INSTANCE_FAMILIES,
  dmsInstanceFamily,
} from '../../../compiler/knowledge/dms-instance-classes.js';

const require = createRequire(import.meta.url);

describe('AWS regions from the SDK partition data', () => {
  test('the generated table is in sync with the installed SDK', () => {
    // Exits 1 with the file name when an SDK upgrade changed the partition data.
    expect(() =>
      execFileSync(process.execPath, ['scripts/aws-knowledge.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
    const { version } = require('@aws-sdk/core/package.json') as { version: string };
    expect(AWS_REGIONS_SOURCE).toContain(version);
  });

  test('every partition pgferry users deploy in is there, and no global pseudo-region', () => {
    const partitions = new Set(AWS_REGIONS.map((region) => region.partition));
    expect([...partitions]).toEqual(expect.arrayContaining(['aws', 'aws-cn', 'aws-us-gov']));
    expect(AWS_REGIONS.map((region) => region.code)).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
    expect(AWS_REGIONS.some((region) => region.code.endsWith('-global'))).toBe(false);
  });
});

describe('DMS instance classes', () => {
  test('the table names its source and date', () => {
    expect(DMS_INSTANCE_CLASSES_SOURCE).toMatch(/read \d{4}-\d{2}-\d{2}/);
  });

  test.each(DMS_INSTANCE_FAMILIES.map((family) => [family.family, family.burstable] as const))(
    'family %s is burstable: %s, exactly when it is a T family',
    (family, burstable) => {
      expect(burstable).toBe(/^t\d/.test(family));
    },
  );

  test.each([
    ['dms.t3.medium', 't3'],
    ['dms.r6i.32xlarge', 'r6i'],
    ['dms.c5.9xlarge', 'c5'],
    ['dms.c5.8xlarge', undefined],
    ['dms.m5.large', undefined],
    ['db.r5.large', undefined],
  ] as const)('%s belongs to family %s', (instanceClass, family) => {
    expect(dmsInstanceFamily(instanceClass)?.family).toBe(family);
  });

  test('class names are unique', () => {
    expect(new Set(DMS_INSTANCE_CLASSES).size).toBe(DMS_INSTANCE_CLASSES.length);
  });
});
