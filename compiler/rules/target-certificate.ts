// DMS verifies the target's server certificate only with SslMode verify-ca or verify-full, and then
// only against a certificate imported into DMS that the endpoint names (CertificateArn): without one
// CreateEndpoint is refused or the connection test fails. The plan names an ARN, or a PEM file next to
// it that apply imports; the file is checked like the post_load_sql files (read when the plan is).

import { defineCode } from '../diagnostics/codes.js';
import type { Rule } from './rule.js';

export const TARGET_CERTIFICATE = defineCode({
  code: 'PGF3508',
  name: 'target-certificate',
  severity: 'error',
  title: 'A verifying target SSL mode has no certificate to verify against',
  explanation:
    'With ssl_mode verify-ca or verify-full DMS checks the target server certificate against a CA certificate ' +
    'imported into DMS, named by the endpoint as CertificateArn. Without one DMS cannot verify anything: ' +
    'the endpoint is refused or its connection test fails, in the middle of the prepare phase. Set ' +
    'target.ca_certificate to {arn: ...} for a certificate already in DMS, or {pem: file} (the RDS CA bundle ' +
    'for RDS and Aurora, next to the plan) for apply to import.',
});

export const TARGET_CERTIFICATE_UNUSED = defineCode({
  code: 'PGF3509',
  name: 'target-certificate-unused',
  severity: 'warning',
  title: 'A target CA certificate is set but the SSL mode does not verify',
  explanation:
    'DMS uses the endpoint certificate only with ssl_mode verify-ca or verify-full; with none or require it ' +
    'is not sent and nothing is verified. Set ssl_mode to verify-full (what the certificate is for), or remove ' +
    'target.ca_certificate.',
});

export const targetCertificateRule = {
  codes: [TARGET_CERTIFICATE, TARGET_CERTIFICATE_UNUSED],
  needsCatalog: false,
  check({ plan, planFiles, report }) {
    const { ssl_mode: mode, ca_certificate: certificate } = plan.target;
    const verifying = mode === 'verify-ca' || mode === 'verify-full';
    if (verifying && certificate === null) {
      report({
        code: TARGET_CERTIFICATE.code,
        pointer: '/target/ssl_mode',
        message: `ssl_mode ${mode} needs a CA certificate DMS verifies the target against, and the plan names none`,
        hint: 'set target.ca_certificate: {pem: rds-ca-bundle.pem} (imported by apply) or {arn: arn:aws:dms:…:cert:…}',
      });
    }
    if (!verifying && certificate !== null) {
      report({
        code: TARGET_CERTIFICATE_UNUSED.code,
        pointer: '/target/ca_certificate',
        message: `target.ca_certificate is not used: ssl_mode ${mode} does not verify the server certificate`,
        hint: 'set ssl_mode: verify-full, or remove ca_certificate',
      });
    }
    if (certificate === null || !('pem' in certificate) || planFiles === null) return;
    const read = planFiles.get(certificate.pem);
    if (read === undefined || read.kind === 'file') {
      const text = read === undefined ? null : new TextDecoder().decode(read.content);
      if (text === null || text.includes('-----BEGIN CERTIFICATE-----')) return;
      report({
        code: TARGET_CERTIFICATE.code,
        pointer: '/target/ca_certificate/pem',
        message: `"${certificate.pem}" holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)`,
        hint: 'point pem at the CA bundle file (PEM text), e.g. the RDS global-bundle.pem',
      });
      return;
    }
    report({
      code: TARGET_CERTIFICATE.code,
      pointer: '/target/ca_certificate/pem',
      message:
        read.kind === 'missing'
          ? `certificate file "${certificate.pem}" does not exist (paths are relative to the plan file)`
          : `certificate entry "${certificate.pem}" is not a file`,
      hint: 'fix the path, or add the PEM file next to the plan and commit it with it',
    });
  },
} satisfies Rule;
