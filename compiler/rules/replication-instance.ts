// The replication instance: exposure, sizing and network references that AWS would reject.

import { defineCode } from '../diagnostics/codes.js';
import { cdcTaskCount } from '../knowledge/replication-budget.js';
import type { Rule } from './rule.js';

export const INSTANCE_PUBLIC = defineCode({
  code: 'PGF3210',
  name: 'replication-instance-public',
  severity: 'warning',
  title: 'The replication instance is publicly accessible',
  explanation:
    'A publicly accessible replication instance gets a public IP address, and connections to the source and target ' +
    'may leave the VPC. Sources on EC2 and RDS targets are reached privately; keep ' +
    'dms.replication_instance.publicly_accessible false unless the source is only reachable over the internet.',
});

export const INSTANCE_STORAGE = defineCode({
  code: 'PGF3211',
  name: 'replication-instance-storage',
  severity: 'error',
  title: 'Allocated storage is outside what DMS accepts',
  explanation:
    'DMS accepts 5 to 6144 GB of allocated storage for a replication instance. The storage holds task logs and ' +
    'changes cached during the full load; size it for the busiest hour of writes, not the database size.',
});

export const INSTANCE_CLASS = defineCode({
  code: 'PGF3212',
  name: 'replication-instance-class',
  severity: 'error',
  title: 'The replication instance class is not a DMS class',
  explanation:
    'DMS instance classes look like dms.<family>.<size>, e.g. dms.t3.medium, dms.c5.xlarge, dms.r5.2xlarge. An EC2 or ' +
    'RDS class name (db.r5.large, m5.large) is rejected by CreateReplicationInstance.',
});

export const INSTANCE_BURSTABLE = defineCode({
  code: 'PGF3213',
  name: 'replication-instance-burstable',
  severity: 'warning',
  title: 'A burstable instance class carries CDC',
  explanation:
    'dms.t2/t3 classes run on CPU credits. A long full load or steady CDC exhausts them and the instance drops to ' +
    'baseline CPU, so latency climbs just before cutover. Use a c5/r5 (or newer) class for CDC migrations.',
});

export const INSTANCE_NETWORK = defineCode({
  code: 'PGF3214',
  name: 'replication-instance-network',
  severity: 'error',
  title: 'A network or encryption reference is malformed',
  explanation:
    'Security groups are ids (sg-0123456789abcdef0), the KMS key is a key id, alias or ARN, and the maintenance ' +
    'window has the form ddd:hh24:mi-ddd:hh24:mi in UTC (sun:03:00-sun:03:30). AWS rejects the create call otherwise.',
});

export const replicationInstanceRule = {
  codes: [INSTANCE_PUBLIC, INSTANCE_STORAGE, INSTANCE_CLASS, INSTANCE_BURSTABLE, INSTANCE_NETWORK],
  needsCatalog: false,
  check({ plan, report }) {
    const instance = plan.dms.replication_instance;
    const at = (key: string) => `/dms/replication_instance/${key}`;
    if (instance.publicly_accessible) {
      report({
        code: INSTANCE_PUBLIC.code,
        pointer: at('publicly_accessible'),
        message: `replication instance "${instance.identifier}" is publicly accessible`,
        hint: 'set publicly_accessible: false',
      });
    }
    if (
      !Number.isInteger(instance.allocated_storage) ||
      instance.allocated_storage < 5 ||
      instance.allocated_storage > 6144
    ) {
      report({
        code: INSTANCE_STORAGE.code,
        pointer: at('allocated_storage'),
        message: `allocated_storage is ${instance.allocated_storage} GB; DMS accepts 5 to 6144`,
      });
    }
    const classMatch = /^dms\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instance.class);
    if (!classMatch) {
      report({
        code: INSTANCE_CLASS.code,
        pointer: at('class'),
        message: `"${instance.class}" is not a DMS instance class`,
        hint: 'use a class such as dms.c5.large or dms.r5.xlarge',
      });
    } else if (/^t\d/.test(classMatch[1]!) && cdcTaskCount(plan) > 0) {
      report({
        code: INSTANCE_BURSTABLE.code,
        pointer: at('class'),
        message: `burstable class ${instance.class} carries ${cdcTaskCount(plan)} CDC task(s); CPU credits run out under steady load`,
        hint: 'use a c5 or r5 class',
      });
    }
    instance.security_groups.forEach((group, index) => {
      if (!/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/.test(group)) {
        report({
          code: INSTANCE_NETWORK.code,
          pointer: at(`security_groups/${index}`),
          message: `"${group}" is not a security group id`,
          hint: 'security groups are referenced by id: sg-0123456789abcdef0',
        });
      }
    });
    const kms = instance.kms_key_id;
    if (
      kms !== null &&
      !/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+|alias\/.+|[0-9a-f-]{36}|mrk-[0-9a-f]{32})$/.test(kms)
    ) {
      report({
        code: INSTANCE_NETWORK.code,
        pointer: at('kms_key_id'),
        message: `"${kms}" is not a KMS key id, alias or ARN`,
      });
    }
    const window = instance.preferred_maintenance_window;
    if (
      window !== null &&
      !/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/.test(
        window.toLowerCase(),
      )
    ) {
      report({
        code: INSTANCE_NETWORK.code,
        pointer: at('preferred_maintenance_window'),
        message: `maintenance window "${window}" is not of the form ddd:hh24:mi-ddd:hh24:mi`,
        hint: 'e.g. sun:03:00-sun:03:30 (UTC)',
      });
    }
  },
} satisfies Rule;
