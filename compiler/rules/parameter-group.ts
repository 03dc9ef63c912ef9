// fk_strategy parameter_group against what RDS will do: the group must be one RDS lets pgferry modify
// (a custom group with a valid name, never a default.* group), and the executor must know which DB
// instance (or Aurora cluster) the group is attached to, from target.identifier or an RDS endpoint host.
// Whether the strategy fits the target kind at all is PGF3501 (target.ts).

import { defineCode } from '../diagnostics/codes.js';
import { rdsIdentifier, usesParameterGroup } from '../emit/rds-requests.js';
import type { Rule } from './rule.js';

export const PARAMETER_GROUP_NAME = defineCode({
  code: 'PGF3510',
  name: 'parameter-group-name',
  severity: 'error',
  title: 'The parameter group cannot be modified',
  explanation:
    'fk_strategy parameter_group changes session_replication_role in the named group with ModifyDBParameterGroup ' +
    '(ModifyDBClusterParameterGroup on Aurora). AWS refuses to modify the default parameter groups (default.postgres16, ' +
    'default.aurora-postgresql15, …): create a custom group, attach it to the instance (or cluster) and name it. A group ' +
    'name is 1 to 255 letters, digits or hyphens, starts with a letter, and has no two hyphens in a row and no hyphen at ' +
    'the end.',
});

export const RDS_IDENTIFIER = defineCode({
  code: 'PGF3511',
  name: 'rds-identifier',
  severity: 'error',
  title: 'The executor cannot tell which RDS instance or Aurora cluster the target is',
  explanation:
    'Before it changes the parameter group, apply checks that the group is the one attached to the target ' +
    '(DescribeDBInstances on RDS, DescribeDBClusters on Aurora) and waits until the change is in sync there. It takes ' +
    'the identifier from target.identifier, or from the host when it is an RDS endpoint (the first label of ' +
    '<instance>.<id>.<region>.rds.amazonaws.com, or of an Aurora cluster endpoint <cluster>.cluster-<id>.…). A CNAME, ' +
    'an IP address, or an Aurora instance or custom endpoint names no cluster: set target.identifier. An identifier the ' +
    'plan never uses is reported as a warning.',
});

const GROUP_NAME = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}$/;

export const parameterGroupRule: Rule = {
  codes: [PARAMETER_GROUP_NAME, RDS_IDENTIFIER],
  needsCatalog: false,
  check({ plan, report }) {
    const { target } = plan;
    if (!usesParameterGroup(plan)) {
      if (target.identifier !== null)
        report({
          code: RDS_IDENTIFIER.code,
          severity: 'warning',
          pointer: '/target/identifier',
          message: `target.identifier "${target.identifier}" is not used: only fk_strategy parameter_group on RDS or Aurora reads it`,
          hint: 'remove target.identifier',
        });
      return;
    }
    const group = target.parameter_group;
    if (group !== null) {
      if (group.toLowerCase().startsWith('default.') || group.toLowerCase() === 'default') {
        report({
          code: PARAMETER_GROUP_NAME.code,
          pointer: '/target/parameter_group',
          message: `"${group}" is a default parameter group, which AWS does not let anyone modify`,
          hint: `create a custom ${target.kind === 'aurora' ? 'DB cluster ' : 'DB '}parameter group (copy ${group}), attach it to the target and name it here`,
        });
      } else if (!GROUP_NAME.test(group) || group.endsWith('-')) {
        report({
          code: PARAMETER_GROUP_NAME.code,
          pointer: '/target/parameter_group',
          message: `"${group}" is not a valid parameter group name`,
          hint: 'letters, digits and hyphens, starting with a letter, no "--", not ending with "-"',
        });
      }
    }
    if (rdsIdentifier(plan) === null) {
      report({
        code: RDS_IDENTIFIER.code,
        pointer: '/target/host',
        message:
          target.kind === 'aurora'
            ? `host "${target.host}" is not an Aurora cluster endpoint, so it names no DB cluster`
            : `host "${target.host}" is not an RDS endpoint, so it names no DB instance`,
        hint: `set target.identifier to the target's ${target.kind === 'aurora' ? 'DB cluster' : 'DB instance'} identifier`,
      });
    }
  },
};
