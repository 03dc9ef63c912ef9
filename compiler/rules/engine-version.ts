// The replication instance's DMS engine must know both PostgreSQL majors (reference/dms.md §10).

import { defineCode } from '../diagnostics/codes.js';
import { compareEngineVersions, engineFacts, majorSupport, parseEngineVersion } from '../knowledge/engine-versions.js';
import type { Rule } from './rule.js';

export const ENGINE_MAJOR_UNSUPPORTED = defineCode({
  code: 'PGF3004',
  name: 'dms-engine-major-unsupported',
  severity: 'error',
  title: 'The DMS engine version does not support the source or target PostgreSQL major',
  explanation:
    'Each DMS engine release adds support for newer PostgreSQL majors (13 needs 3.4.3, 14 needs 3.4.7, 15 needs ' +
    '3.5.1, 16 needs 3.5.3, 17 and 18 need 3.6.1 as a source and 3.5.4 as a target). An older engine fails the ' +
    'premigration assessment or the task. Raise dms.replication_instance.engine_version.',
});

export const ENGINE_UNKNOWN = defineCode({
  code: 'PGF3005',
  name: 'dms-engine-unknown',
  severity: 'warning',
  title: 'pgferry does not know this DMS engine version',
  explanation:
    "The engine version is not in pgferry's table of DMS releases (compiler/knowledge/engine-versions.ts), so its " +
    'PostgreSQL support cannot be checked. Check `aws dms describe-orderable-replication-instances` or ' +
    '`describe-engine-versions` for the versions offered in your region, and use one of them.',
});

export const ENGINE_RETIRED = defineCode({
  code: 'PGF3006',
  name: 'dms-engine-retired',
  severity: 'warning',
  title: 'The DMS engine version can no longer be used for new replication instances',
  explanation:
    'AWS stops offering an engine version for new replication instances some months after a newer one ships and ' +
    'later upgrades the remaining instances automatically. Creating the instance with a retired version fails. Use ' +
    '3.5.4 (the default) or newer.',
});

export const engineVersionRule = {
  codes: [ENGINE_MAJOR_UNSUPPORTED, ENGINE_UNKNOWN, ENGINE_RETIRED],
  needsCatalog: false,
  check({ plan, report }) {
    const pointer = '/dms/replication_instance/engine_version';
    // DMS Serverless chooses and upgrades its engine itself; only an instance names one.
    if (plan.dms.replication_instance === null) return;
    const engine = plan.dms.replication_instance.engine_version;
    if (!parseEngineVersion(engine)) {
      report({
        code: ENGINE_UNKNOWN.code,
        pointer,
        severity: 'error',
        message: `DMS engine version "${engine}" is not of the form major.minor.patch`,
        hint: 'write it as AWS does, e.g. "3.5.4"',
      });
      return;
    }
    const facts = engineFacts(engine);
    if (!facts) {
      report({
        code: ENGINE_UNKNOWN.code,
        pointer,
        message: `DMS engine version "${engine}" is not one pgferry knows; its PostgreSQL support is not checked`,
        hint: 'use a listed version such as 3.5.4 or 3.6.1',
      });
    } else if (facts.retired) {
      report({
        code: ENGINE_RETIRED.code,
        pointer,
        message: `DMS engine version "${engine}" is retired; new replication instances cannot use it`,
        hint: 'use 3.5.4 or newer',
      });
    }
    const sides = [
      { side: 'source', version: plan.source.version, min: (m: string) => majorSupport(m)?.minSource },
      { side: 'target', version: plan.target.version, min: (m: string) => majorSupport(m)?.minTarget },
    ] as const;
    for (const { side, version, min } of sides) {
      const support = majorSupport(version.major);
      if (!support) {
        if (version.num >= 100000) {
          report({
            code: ENGINE_MAJOR_UNSUPPORTED.code,
            pointer: `/${side}/version`,
            message: `no DMS engine version pgferry knows supports PostgreSQL ${version.major} as a ${side}`,
            notes: [{ message: `engine version "${engine}" is chosen here`, pointer }],
          });
        }
        continue;
      }
      const needed = min(version.major);
      if (needed && compareEngineVersions(engine, needed) < 0) {
        report({
          code: ENGINE_MAJOR_UNSUPPORTED.code,
          pointer,
          message: `DMS engine "${engine}" does not support PostgreSQL ${version.major} as a ${side}; it needs ${needed} or newer`,
          hint: `set dms.replication_instance.engine_version to ${needed} or newer`,
          notes: [{ message: `${side} version ${version.text} is declared here`, pointer: `/${side}/version` }],
        });
      }
    }
  },
} satisfies Rule;
