// The migration user and host on the source: what DMS needs to read changes, and an address it can reach.

import { defineCode } from '../diagnostics/codes.js';
import { hostAddressProblem } from '../knowledge/host-address.js';
import { cdcTaskCount } from '../knowledge/replication-budget.js';
import type { Rule } from './rule.js';

export const MIGRATION_USER_SUPERUSER = defineCode({
  code: 'PGF3700',
  name: 'migration-user-superuser',
  severity: 'error',
  title: 'CDC on a self-managed source needs a superuser migration user',
  explanation:
    'The DMS user guide asks for superuser on a self-managed source for CDC: the user opens a replication ' +
    'connection, creates and drops logical slots, and creates the DDL-capture event trigger (event triggers need ' +
    'superuser). Without it the task fails when it starts streaming. Set source.migration_user.superuser: true, or ' +
    'make every task full-load (SELECT on the tables is then enough).',
});

export const SOURCE_HOST_LOOPBACK = defineCode({
  code: 'PGF3701',
  name: 'source-host-loopback',
  severity: 'error',
  title: 'DMS cannot reach a loopback source address',
  explanation:
    'source.host is the address the DMS replication instance connects to from its VPC subnet. localhost or 127.0.0.1 ' +
    "is the replication instance itself. Use the EC2 host's private IP or DNS name.",
});

export const MIGRATION_USER_IN_WRITE_ROLES = defineCode({
  code: 'PGF3702',
  name: 'migration-user-fenced',
  severity: 'error',
  title: 'The write fence would lock out the DMS migration user',
  explanation:
    'At cutover pgferry fences the write roles (pg_hba reject or read-only) and terminates their sessions. If the ' +
    'migration user is among them, DMS loses its connection before it has applied the last changes, and the slot ' +
    'stops. Remove the migration user from source.write_roles and cutover.fence.roles.',
});

export const FENCE_PROTECTED_LOGIN = defineCode({
  code: 'PGF3703',
  name: 'fence-protected-login',
  severity: 'error',
  title: 'A role is both fenced and protected',
  explanation:
    "source.protected_logins lists logins that must keep working after pgferry edits pg_hba (the agent's, the DBA's); " +
    'the cutover fence rejects or makes read-only every fenced role. A role in both lists would lock out the ' +
    'operator during cutover. Use a separate role for the application writers.',
});

export const HOST_ADDRESS_INVALID = defineCode({
  code: 'PGF3704',
  name: 'host-address-invalid',
  severity: 'error',
  title: 'A host is not a bare host name or IP address',
  explanation:
    "source.host and target.host become the DMS endpoints' ServerName, which takes a DNS name or an IP address " +
    'only. A port (10.1.4.20:5432), a scheme (postgres://…), a path or a user name there makes every connection ' +
    'fail at apply time. Write the address alone and the port in source.port / target.port.',
});

export const sourceAccessRule = {
  codes: [
    MIGRATION_USER_SUPERUSER,
    SOURCE_HOST_LOOPBACK,
    MIGRATION_USER_IN_WRITE_ROLES,
    FENCE_PROTECTED_LOGIN,
    HOST_ADDRESS_INVALID,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    for (const side of ['source', 'target'] as const) {
      const problem = hostAddressProblem(plan[side].host, `${side}.port`);
      if (problem) {
        report({
          code: HOST_ADDRESS_INVALID.code,
          pointer: `/${side}/host`,
          message: `${side}.host "${plan[side].host}" is not a host name or IP address: ${problem}`,
        });
      }
    }
    const user = plan.source.migration_user;
    const cdcTasks = cdcTaskCount(plan);
    if (plan.engine === 'dms' && cdcTasks > 0 && !user.superuser) {
      report({
        code: MIGRATION_USER_SUPERUSER.code,
        pointer: '/source/migration_user/superuser',
        message: `migration user "${user.name}" is not a superuser but ${cdcTasks} task(s) stream changes`,
        hint: 'set superuser: true, or make the tasks full-load only',
      });
    }
    // A logical-replication rehearsal runs both clusters on one machine; only DMS needs a routable address.
    if (plan.engine === 'dms' && /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|0\.0\.0\.0)$/i.test(plan.source.host)) {
      report({
        code: SOURCE_HOST_LOOPBACK.code,
        pointer: '/source/host',
        message: `source host "${plan.source.host}" is a loopback address; DMS connects from its own subnet`,
        hint: "use the EC2 host's private IP or DNS name",
      });
    }
    plan.cutover.fence.roles.forEach((role, index) => {
      const login = plan.source.protected_logins.findIndex((candidate) => candidate.user === role);
      if (login < 0) return;
      report({
        code: FENCE_PROTECTED_LOGIN.code,
        pointer: `/cutover/fence/roles/${index}`,
        message: `role "${role}" is fenced at cutover but is also a protected login`,
        notes: [{ message: 'protected here', pointer: `/source/protected_logins/${login}` }],
      });
    });
    const lists = [
      { pointer: '/source/write_roles', roles: plan.source.write_roles },
      { pointer: '/cutover/fence/roles', roles: plan.cutover.fence.roles },
    ];
    for (const { pointer, roles } of lists) {
      const index = roles.indexOf(user.name);
      if (index >= 0) {
        report({
          code: MIGRATION_USER_IN_WRITE_ROLES.code,
          pointer: `${pointer}/${index}`,
          message: `migration user "${user.name}" is a fenced write role; the fence would cut DMS off before the last changes`,
          hint: `remove "${user.name}" from the list`,
        });
      }
    }
  },
} satisfies Rule;
