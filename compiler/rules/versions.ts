// Source and target PostgreSQL versions: what DMS and pgferry can handle at all, and no downgrades.

import { majorName, majorNum } from '../../contracts/pg-version.js';
import { defineCode } from '../diagnostics/codes.js';
import { MIN_SOURCE_VERSION_NUM, PG_9_4 } from '../knowledge/pg-versions.js';
import type { Rule } from './rule.js';

export const SOURCE_VERSION_UNSUPPORTED = defineCode({
  code: 'PGF3001',
  name: 'source-version-unsupported',
  severity: 'error',
  title: 'The source PostgreSQL version is too old for DMS CDC and the pgferry agent',
  explanation:
    'Logical decoding, which DMS uses for CDC, first appeared in PostgreSQL 9.4, and the pgferry agent and bundle ' +
    'support 9.5 and later. A 9.4 or older source cannot be migrated with this plan: upgrade the source in place ' +
    '(minor and then major version) first, or migrate it with pg_dump/pg_restore instead of DMS.',
});

export const TARGET_VERSION_DOWNGRADE = defineCode({
  code: 'PGF3002',
  name: 'target-version-downgrade',
  severity: 'error',
  title: 'The target runs an older PostgreSQL major than the source',
  explanation:
    'Moving data to an older major version is not supported: catalog features, types and functions the source ' +
    'uses may not exist on the target, and DMS does not translate them. Choose a target major equal to or newer ' +
    'than the source major (target.version).',
});

export const TARGET_VERSION_UNSUPPORTED = defineCode({
  code: 'PGF3003',
  name: 'target-version-unsupported',
  severity: 'error',
  title: 'DMS does not support this target version',
  explanation:
    'DMS supports PostgreSQL 9.4 and later as a target, and the DMS user guide excludes RDS/Aurora PostgreSQL ' +
    '10.4 explicitly as a source or a target. Pick another minor version for the RDS or Aurora target.',
});

export const versionsRule = {
  codes: [SOURCE_VERSION_UNSUPPORTED, TARGET_VERSION_DOWNGRADE, TARGET_VERSION_UNSUPPORTED],
  needsCatalog: false,
  check({ plan, report }) {
    const source = plan.source.version;
    const target = plan.target.version;
    if (source.num < MIN_SOURCE_VERSION_NUM) {
      report({
        code: SOURCE_VERSION_UNSUPPORTED.code,
        pointer: '/source/version',
        message: `source PostgreSQL "${source.text}" is not supported; pgferry needs 9.5 or later`,
        hint: 'upgrade the source to 9.5 or later first, or move the data with pg_dump/pg_restore',
      });
    }
    if (majorNum(target.num) < majorNum(source.num)) {
      report({
        code: TARGET_VERSION_DOWNGRADE.code,
        pointer: '/target/version',
        message: `target PostgreSQL ${majorName(target.num)} is older than source PostgreSQL ${majorName(source.num)}`,
        hint: `choose a target version ${majorName(source.num)} or newer`,
      });
    }
    if (target.num < PG_9_4) {
      report({
        code: TARGET_VERSION_UNSUPPORTED.code,
        pointer: '/target/version',
        message: `target PostgreSQL "${target.text}" is older than 9.4, the oldest target DMS supports`,
      });
    } else if (plan.target.kind !== 'self-managed' && target.num === 100004) {
      report({
        code: TARGET_VERSION_UNSUPPORTED.code,
        pointer: '/target/version',
        message: `${plan.target.kind === 'rds' ? 'RDS' : 'Aurora'} PostgreSQL 10.4 is explicitly unsupported by DMS`,
        hint: 'use a later 10.x minor version (10.21 or newer for CDC on RDS)',
      });
    }
  },
} satisfies Rule;
