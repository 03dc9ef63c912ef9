// The target side: how foreign keys and triggers are quietened on RDS/Aurora, the database mapping, and TLS.

import { compareText } from '../../contracts/compare.js';
import { defineCode } from '../diagnostics/codes.js';
import { escapeSegment } from '../front/locate.js';
import { PG_15 } from '../knowledge/pg-versions.js';
import type { Rule } from './rule.js';
import { didYouMean } from './support/suggest.js';

export const TARGET_ALTER_SYSTEM = defineCode({
  code: 'PGF3500',
  name: 'target-alter-system',
  severity: 'error',
  title: 'RDS and Aurora do not allow ALTER SYSTEM',
  explanation:
    'Managed targets have no superuser and reject ALTER SYSTEM, so fk_strategy alter_system cannot set ' +
    'session_replication_role. Use after_connect_script (the DMS target endpoint sets it per session) or ' +
    'parameter_group (a DB parameter group that cutover reverts).',
});

export const PARAMETER_GROUP = defineCode({
  code: 'PGF3501',
  name: 'parameter-group',
  severity: 'error',
  title: 'The parameter group and fk_strategy disagree',
  explanation:
    'fk_strategy parameter_group sets session_replication_role = replica in the named RDS DB parameter group, and ' +
    'cutover puts it back to origin (otherwise the application runs without foreign key enforcement). It needs ' +
    'target.parameter_group, and it only exists on RDS and Aurora. A parameter_group name with another strategy is ' +
    'unused.',
});

export const DISABLE_TRIGGERS_MANAGED = defineCode({
  code: 'PGF3502',
  name: 'disable-triggers-managed',
  severity: 'warning',
  title: 'On RDS and Aurora, disable_triggers disables user triggers only: foreign keys stay enforced',
  explanation:
    'Foreign keys are enforced by internal triggers; ALTER TABLE … DISABLE TRIGGER ALL needs superuser to disable ' +
    'them, and rds_superuser is not one ("permission denied: RI_ConstraintTrigger … is a system trigger"). On RDS ' +
    'and Aurora the generated prepare.sql therefore disables user triggers only (DISABLE TRIGGER USER, which the ' +
    'table owner may do), and refuses to run while a foreign key exists on a selected table, because DMS loads ' +
    'tables in parallel and an enforced key fails the load. Create foreign keys after the load (pg_dump ' +
    '--section=post-data in post_load_sql), or use after_connect_script.',
});

export const TARGET_DATABASES = defineCode({
  code: 'PGF3503',
  name: 'target-databases',
  severity: 'error',
  title: 'The target database mapping is incomplete or ambiguous',
  explanation:
    'target.databases maps each source database to the target database it lands in. Every source database needs ' +
    'an entry, every entry must name a migrated source database, and two source databases cannot share a target ' +
    'database (their public schemas would collide).',
});

export const TARGET_SSL = defineCode({
  code: 'PGF3504',
  name: 'target-ssl',
  severity: 'warning',
  title: 'DMS connects to a managed target without TLS',
  explanation:
    'RDS and Aurora expect TLS; from PostgreSQL 15 RDS sets rds.force_ssl = 1 by default and refuses unencrypted ' +
    'connections, so the endpoint connection test fails. Set target.ssl_mode to require (or verify-full with the RDS ' +
    'CA bundle imported into DMS).',
});

export const REPLICATION_ROLE_PRIVILEGE = defineCode({
  code: 'PGF3505',
  name: 'replication-role-privilege',
  severity: 'info',
  title: 'The target migration user must be allowed to set session_replication_role',
  explanation:
    'after_connect_script runs SET session_replication_role = replica in every DMS session. The parameter has ' +
    'superuser context: an ordinary role gets "permission denied to set parameter". On RDS and Aurora grant the DMS ' +
    'user rds_superuser, or on PostgreSQL 15+ GRANT SET ON PARAMETER session_replication_role TO it; otherwise every ' +
    'DMS connection fails.',
});

export const RESERVED_DATABASE = defineCode({
  code: 'PGF3506',
  name: 'reserved-database',
  severity: 'error',
  title: 'A template or RDS-internal database is migrated',
  explanation:
    'template0 and template1 are the templates every new database is copied from, and rdsadmin is the RDS management ' +
    'database no user can write to. Loading into them (or reading template0, which refuses connections) fails or ' +
    'corrupts every database created later. Migrate application databases only.',
});

export const targetRule = {
  codes: [
    RESERVED_DATABASE,
    TARGET_ALTER_SYSTEM,
    PARAMETER_GROUP,
    DISABLE_TRIGGERS_MANAGED,
    TARGET_DATABASES,
    TARGET_SSL,
    REPLICATION_ROLE_PRIVILEGE,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const target = plan.target;
    const managed = target.kind !== 'self-managed';
    const kindName = target.kind === 'rds' ? 'RDS' : 'Aurora';
    if (managed && target.fk_strategy === 'alter_system') {
      report({
        code: TARGET_ALTER_SYSTEM.code,
        pointer: '/target/fk_strategy',
        message: `fk_strategy alter_system needs ALTER SYSTEM, which ${kindName} does not allow`,
        hint: 'use after_connect_script or parameter_group',
      });
    }
    if (target.fk_strategy === 'parameter_group') {
      if (!managed) {
        report({
          code: PARAMETER_GROUP.code,
          pointer: '/target/fk_strategy',
          message: 'fk_strategy parameter_group needs an RDS or Aurora target; this target is self-managed',
          hint: 'use alter_system or after_connect_script',
        });
      } else if (!target.parameter_group) {
        report({
          code: PARAMETER_GROUP.code,
          pointer: '/target/fk_strategy',
          message: 'fk_strategy parameter_group names no parameter group',
          hint: 'set target.parameter_group to the DB parameter group of the target instance',
        });
      }
    } else if (target.parameter_group) {
      report({
        code: PARAMETER_GROUP.code,
        pointer: '/target/parameter_group',
        severity: 'warning',
        message: `parameter group "${target.parameter_group}" is not used: fk_strategy is ${target.fk_strategy}`,
        hint: 'remove parameter_group, or set fk_strategy: parameter_group',
      });
    }
    if (managed && target.fk_strategy === 'disable_triggers') {
      report({
        code: DISABLE_TRIGGERS_MANAGED.code,
        pointer: '/target/fk_strategy',
        message: `on ${kindName} disable_triggers disables user triggers only: foreign keys stay enforced, so prepare.sql refuses to run while one exists on a selected table`,
        hint: 'create foreign keys after the load (post_load_sql), or use after_connect_script',
      });
    }
    if (
      managed &&
      target.fk_strategy === 'after_connect_script' &&
      target.migration_user.name !== target.admin_user.name
    ) {
      report({
        code: REPLICATION_ROLE_PRIVILEGE.code,
        pointer: '/target/migration_user/name',
        message: `target migration user "${target.migration_user.name}" must be allowed to SET session_replication_role`,
        hint:
          target.version.num >= PG_15
            ? `GRANT SET ON PARAMETER session_replication_role TO ${target.migration_user.name}, or grant rds_superuser`
            : `GRANT rds_superuser TO ${target.migration_user.name}`,
      });
    }
    const reserved = new Set(['template0', 'template1', 'rdsadmin']);
    plan.source.databases.forEach((database, index) => {
      if (reserved.has(database)) {
        report({
          code: RESERVED_DATABASE.code,
          pointer: `/source/databases/${index}`,
          message: `source database "${database}" is a template or RDS-internal database`,
        });
      }
    });
    for (const [source, destination] of Object.entries(target.databases).sort(([a], [b]) => compareText(a, b))) {
      if (reserved.has(destination) && !reserved.has(source)) {
        report({
          code: RESERVED_DATABASE.code,
          pointer: `/target/databases/${escapeSegment(source)}`,
          message: `source database "${source}" would land in "${destination}", a template or RDS-internal database`,
        });
      }
    }
    const sources = plan.source.databases;
    const targets = new Map<string, string>();
    sources.forEach((database, index) => {
      if (!(database in target.databases)) {
        report({
          code: TARGET_DATABASES.code,
          pointer: `/source/databases/${index}`,
          message: `source database "${database}" has no entry in target.databases`,
          hint: `add "${database}: ${database}" to target.databases`,
        });
      }
    });
    for (const [source, destination] of Object.entries(target.databases).sort(([a], [b]) => compareText(a, b))) {
      const pointer = `/target/databases/${escapeSegment(source)}`;
      if (!sources.includes(source)) {
        report({
          code: TARGET_DATABASES.code,
          pointer,
          message: `target.databases maps "${source}", which is not in source.databases${didYouMean(source, sources)}`,
        });
      }
      const other = targets.get(destination);
      if (other !== undefined) {
        report({
          code: TARGET_DATABASES.code,
          pointer,
          message: `source databases "${other}" and "${source}" both land in target database "${destination}"`,
          hint: 'give each source database its own target database',
        });
      } else targets.set(destination, source);
    }
    if (managed && target.ssl_mode === 'none') {
      const forced = target.version.num >= PG_15;
      report({
        code: TARGET_SSL.code,
        pointer: '/target/ssl_mode',
        severity: forced ? 'error' : 'warning',
        message: forced
          ? `${kindName} PostgreSQL ${target.version.major} refuses connections without TLS (rds.force_ssl defaults to 1)`
          : `DMS would connect to the ${kindName} target without TLS`,
        hint: 'set target.ssl_mode: require',
      });
    }
  },
} satisfies Rule;
