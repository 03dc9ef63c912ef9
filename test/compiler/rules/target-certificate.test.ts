// PGF3508/PGF3509: a verifying target SSL mode needs a CA certificate (an ARN, or a PEM file next to the
// plan that holds a certificate); a certificate with a mode that does not verify is unused.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import type { Plan } from '../../../compiler/model/plan.js';
import { readPlanFiles, workingTreeReader } from '../../../compiler/plan-files.js';
import { targetCertificateRule } from '../../../compiler/rules/target-certificate.js';
import { expectRow, planWith, type Row } from './builders.js';

const dir = mkdtempSync(join(tmpdir(), 'pgferry-certificate-'));
writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
writeFileSync(join(dir, 'notes.txt'), 'not a certificate\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARN = 'arn:aws:dms:eu-west-1:123456789012:cert:rds-ca-rsa2048-g1';
const target = (ssl_mode: Plan['target']['ssl_mode'], ca_certificate: Plan['target']['ca_certificate']) =>
  planWith({ target: { ssl_mode, ca_certificate } });
const readIn = (plan: Plan) => readPlanFiles(plan, workingTreeReader(dir));

describe('target certificate', () => {
  const rows: (Row & { files?: boolean })[] = [
    { name: 'require without a certificate', plan: target('require', null), want: [] },
    { name: 'verify-full with an ARN', plan: target('verify-full', { arn: ARN }), want: [] },
    {
      name: 'verify-ca with a PEM next to the plan',
      plan: target('verify-ca', { pem: 'ca.pem' }),
      files: true,
      want: [],
    },
    {
      name: 'verify-full without a certificate',
      plan: target('verify-full', null),
      want: ['PGF3508@/target/ssl_mode'],
    },
    { name: 'verify-ca without a certificate', plan: target('verify-ca', null), want: ['PGF3508@/target/ssl_mode'] },
    {
      name: 'a PEM file that does not exist',
      plan: target('verify-full', { pem: 'certs/nope.pem' }),
      files: true,
      want: ['PGF3508@/target/ca_certificate/pem'],
    },
    {
      name: 'a file that holds no certificate',
      plan: target('verify-full', { pem: 'notes.txt' }),
      files: true,
      want: ['PGF3508@/target/ca_certificate/pem'],
    },
    { name: 'no plan directory: the file is not checked', plan: target('verify-full', { pem: 'x.pem' }), want: [] },
    {
      name: 'a certificate with require: unused',
      plan: target('require', { arn: ARN }),
      want: ['PGF3509@/target/ca_certificate'],
    },
  ];
  test.each(rows)('$name', async ({ files, ...row }) =>
    expectRow(targetCertificateRule, { ...row, ...(files ? { planFiles: await readIn(row.plan) } : {}) }),
  );
});
