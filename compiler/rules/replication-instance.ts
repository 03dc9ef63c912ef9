// The replication instance: exposure and sizing; and for either compute form (instance or Serverless)
// the network and encryption references AWS would reject.

import { defineCode } from '../diagnostics/codes.js';
import { type DmsCompute, dmsCompute } from '../knowledge/dms-compute.js';
import {
  DMS_INSTANCE_CLASSES,
  DMS_INSTANCE_CLASSES_SOURCE,
  dmsInstanceFamily,
} from '../knowledge/dms-instance-classes.js';
import { cdcTaskCount } from '../knowledge/replication-budget.js';
import type { Plan, ReplicationInstance } from '../model/plan.js';
import type { Rule } from './rule.js';
import { didYouMean } from './support/suggest.js';

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
    'DMS instance classes look like dms.<family>.<size>, e.g. dms.t3.medium, dms.c5.xlarge, dms.r6i.2xlarge, and ' +
    'AWS documents the T2, T3, C4, C5, C6i, R4, R5 and R6i families with a fixed list of sizes each ' +
    `(compiler/knowledge/dms-instance-classes.ts; source: ${DMS_INSTANCE_CLASSES_SOURCE}). An EC2 or RDS class ` +
    'name (db.r5.large, m5.large), or a size the family does not have, is rejected by CreateReplicationInstance.',
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

export const MAINTENANCE_WINDOW_SHORT = defineCode({
  code: 'PGF3215',
  name: 'maintenance-window-short',
  severity: 'error',
  title: 'The maintenance window is shorter than the 30 minutes DMS requires',
  explanation:
    'PreferredMaintenanceWindow must span at least 30 minutes (ddd:hh24:mi-ddd:hh24:mi in UTC; it may cross ' +
    'midnight or the end of the week, sat:23:45-sun:00:15). CreateReplicationInstance rejects a shorter window ' +
    'mid-apply. Widen the window, e.g. sun:03:00-sun:03:30.',
});

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Minutes from the start to the end of a well-formed window, across the end of the week if needed. */
function windowMinutes(window: string): number {
  const [start, end] = window
    .toLowerCase()
    .split('-')
    .map((edge) => {
      const [day, hour, minute] = edge.split(':');
      return DAYS.indexOf(day!) * 24 * 60 + Number(hour) * 60 + Number(minute);
    });
  return (end! - start! + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

export const replicationInstanceRule = {
  codes: [
    INSTANCE_PUBLIC,
    INSTANCE_STORAGE,
    INSTANCE_CLASS,
    INSTANCE_BURSTABLE,
    INSTANCE_NETWORK,
    MAINTENANCE_WINDOW_SHORT,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const instance = plan.dms.replication_instance;
    if (instance !== null) checkInstance(plan, instance, report);
    // Network and encryption references are the same for both forms (ComputeConfig takes them too).
    const compute = dmsCompute(plan);
    if (compute !== null) checkNetwork(compute, report);
  },
} satisfies Rule;

type Report = Parameters<Rule['check']>[0]['report'];

function checkInstance(plan: Plan, instance: ReplicationInstance, report: Report): void {
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
  const family = dmsInstanceFamily(instance.class);
  if (!family) {
    report({
      code: INSTANCE_CLASS.code,
      pointer: at('class'),
      message: `"${instance.class}" is not a DMS replication instance class${didYouMean(instance.class, DMS_INSTANCE_CLASSES)}`,
      hint: /^dms\./.test(instance.class)
        ? 'AWS documents the t2, t3, c4, c5, c6i, r4, r5 and r6i families: e.g. dms.r6i.large or dms.c5.xlarge'
        : 'DMS classes start with "dms.": e.g. dms.r6i.large, not an EC2 (m5.large) or RDS (db.r5.large) class',
    });
  } else if (family.burstable && cdcTaskCount(plan) > 0) {
    report({
      code: INSTANCE_BURSTABLE.code,
      pointer: at('class'),
      message: `burstable class ${instance.class} carries ${cdcTaskCount(plan)} CDC task(s); CPU credits run out under steady load`,
      hint: 'use a c5, c6i, r5 or r6i class',
    });
  }
}

function checkNetwork(compute: DmsCompute, report: Report): void {
  const at = (key: string) => `${compute.pointer}/${key}`;
  compute.security_groups.forEach((group, index) => {
    if (!/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/.test(group)) {
      report({
        code: INSTANCE_NETWORK.code,
        pointer: at(`security_groups/${index}`),
        message: `"${group}" is not a security group id`,
        hint: 'security groups are referenced by id: sg-0123456789abcdef0',
      });
    }
  });
  const kms = compute.kms_key_id;
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
  const window = compute.preferred_maintenance_window;
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
  } else if (window !== null && windowMinutes(window) < 30) {
    report({
      code: MAINTENANCE_WINDOW_SHORT.code,
      pointer: at('preferred_maintenance_window'),
      message: `maintenance window "${window}" lasts ${windowMinutes(window)} minutes; DMS requires at least 30`,
      hint: 'widen it, e.g. sun:03:00-sun:03:30 (UTC)',
    });
  }
}
