// Where DMS runs, and what DMS Serverless accepts: exactly one of replication_instance and serverless,
// capacity in the DCU steps AWS documents, placement ComputeConfig can express, and the features the
// AWS DMS User Guide lists as unsupported on Serverless (CHAP_Serverless.Limitations: custom CDC start
// points; dependencies such as Secrets Manager reached only through VPC endpoints).

import { defineCode } from '../diagnostics/codes.js';
import { DMS_CAPACITY_UNITS, type Plan } from '../model/plan.js';
import type { Rule } from './rule.js';

export const COMPUTE_FORM = defineCode({
  code: 'PGF3230',
  name: 'dms-compute-form',
  severity: 'error',
  title: 'Not exactly one of dms.replication_instance and dms.serverless',
  explanation:
    'DMS runs the tasks either on a provisioned replication instance (dms.replication_instance) or as DMS ' +
    'Serverless replications (dms.serverless), one form for the whole plan. A DMS plan without either has ' +
    'nowhere to run; one with both would leave the reader guessing which is used. Keep one.',
});

export const SERVERLESS_CAPACITY = defineCode({
  code: 'PGF3231',
  name: 'serverless-capacity',
  severity: 'error',
  title: 'DMS Serverless capacity is not a valid DCU range',
  explanation:
    'A DMS capacity unit (DCU) is 2 GB of RAM. CreateReplicationConfig accepts only 1, 2, 4, 8, 16, 32, 64, 128, ' +
    '192, 256 and 384 for MinCapacityUnits and MaxCapacityUnits, and the minimum cannot exceed the maximum. AWS ' +
    'advises a generous maximum (you pay for what is used) and a minimum that absorbs sudden spikes.',
});

export const SERVERLESS_CDC_START_POINT = defineCode({
  code: 'PGF3232',
  name: 'serverless-cdc-start-point',
  severity: 'error',
  title: 'A task on DMS Serverless names its own slot (a custom CDC start point)',
  explanation:
    'A task with slot_name starts CDC from a slot pgferry creates (SlotName and CdcStartPosition: a native CDC ' +
    'start point). AWS DMS Serverless does not support setting custom CDC start points, so the replication ' +
    'would be rejected. Leave slot_name out (DMS creates the slot when the replication starts and pgferry ' +
    'attributes it), or run the plan on a replication instance.',
});

export const SERVERLESS_PLACEMENT = defineCode({
  code: 'PGF3233',
  name: 'serverless-placement',
  severity: 'error',
  title: 'DMS Serverless placement that ComputeConfig rejects',
  explanation:
    'ComputeConfig takes an AvailabilityZone only without MultiAZ (a Multi-AZ replication has a standby in ' +
    'another zone), the zone must be one of dms.region (eu-west-1a in eu-west-1), and DnsNameServers lists at ' +
    'most four IP addresses.',
});

export const SERVERLESS_SECRETS_ENDPOINT = defineCode({
  code: 'PGF3234',
  name: 'serverless-secrets-vpc-endpoint',
  severity: 'warning',
  title: 'DMS Serverless reads the endpoint secrets through a VPC endpoint',
  explanation:
    'Serverless replications have no public address and reach AWS Secrets Manager only through a VPC endpoint ' +
    "in the replication subnet group's VPC (AWS DMS User Guide, Serverless limitations). Without one the " +
    'replication fails while testing its connections. Create the com.amazonaws.<region>.secretsmanager ' +
    'interface endpoint, then waive this warning; or use ssm credentials, which apply resolves itself.',
});

const capacities: readonly number[] = DMS_CAPACITY_UNITS;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

type Report = Parameters<Rule['check']>[0]['report'];

function checkForm(plan: Plan, report: Report): void {
  const { replication_instance: instance, serverless } = plan.dms;
  if (instance !== null && serverless !== null) {
    report({
      code: COMPUTE_FORM.code,
      pointer: '/dms/serverless',
      message: 'dms has both a replication_instance and serverless; a plan runs in one of them',
      hint: 'remove one of the two',
      notes: [{ message: 'the replication instance is declared here', pointer: '/dms/replication_instance' }],
    });
  } else if (instance === null && serverless === null && plan.engine === 'dms') {
    report({
      code: COMPUTE_FORM.code,
      pointer: '/dms',
      message: 'dms has neither a replication_instance nor serverless; the DMS tasks have nowhere to run',
      hint: 'add dms.replication_instance (class, engine_version, …) or dms.serverless (max_capacity_units, …)',
    });
  }
}

function checkCapacity(plan: Plan, report: Report): void {
  const serverless = plan.dms.serverless!;
  const values = [
    ['min_capacity_units', serverless.min_capacity_units],
    ['max_capacity_units', serverless.max_capacity_units],
  ] as const;
  let valid = true;
  for (const [key, value] of values) {
    if (value === null || capacities.includes(value)) continue;
    valid = false;
    const above = capacities.find((step) => step > value);
    report({
      code: SERVERLESS_CAPACITY.code,
      pointer: `/dms/serverless/${key}`,
      message: `${key} is ${value}; DMS accepts ${capacities.join(', ')} DCU`,
      hint: above === undefined ? 'the most DMS Serverless provisions is 384 DCU' : `the next valid value is ${above}`,
    });
  }
  const min = serverless.min_capacity_units;
  if (valid && min !== null && min > serverless.max_capacity_units) {
    report({
      code: SERVERLESS_CAPACITY.code,
      pointer: '/dms/serverless/min_capacity_units',
      message: `min_capacity_units ${min} is above max_capacity_units ${serverless.max_capacity_units}`,
      notes: [{ message: 'the maximum is set here', pointer: '/dms/serverless/max_capacity_units' }],
    });
  }
}

function checkPlacement(plan: Plan, report: Report): void {
  const serverless = plan.dms.serverless!;
  const zone = serverless.availability_zone;
  if (zone !== null && serverless.multi_az) {
    report({
      code: SERVERLESS_PLACEMENT.code,
      pointer: '/dms/serverless/availability_zone',
      message: `availability_zone "${zone}" is set together with multi_az; ComputeConfig takes a zone only without Multi-AZ`,
      notes: [{ message: 'Multi-AZ is enabled here', pointer: '/dms/serverless/multi_az' }],
    });
  } else if (zone !== null && !new RegExp(`^${plan.dms.region}[a-z]$`).test(zone)) {
    report({
      code: SERVERLESS_PLACEMENT.code,
      pointer: '/dms/serverless/availability_zone',
      message: `availability_zone "${zone}" is not a zone of ${plan.dms.region}`,
      hint: `e.g. ${plan.dms.region}a`,
    });
  }
  if (serverless.dns_name_servers.length > 4) {
    report({
      code: SERVERLESS_PLACEMENT.code,
      pointer: '/dms/serverless/dns_name_servers',
      message: `${serverless.dns_name_servers.length} DNS name servers are listed; DMS takes at most four`,
    });
  }
  serverless.dns_name_servers.forEach((server, index) => {
    if (IPV4.test(server)) return;
    report({
      code: SERVERLESS_PLACEMENT.code,
      pointer: `/dms/serverless/dns_name_servers/${index}`,
      message: `"${server}" is not an IPv4 address`,
      hint: 'name servers are given by address, e.g. 10.0.0.2',
    });
  });
}

export const serverlessRule = {
  codes: [
    COMPUTE_FORM,
    SERVERLESS_CAPACITY,
    SERVERLESS_CDC_START_POINT,
    SERVERLESS_PLACEMENT,
    SERVERLESS_SECRETS_ENDPOINT,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    checkForm(plan, report);
    if (plan.dms.serverless === null || plan.engine !== 'dms') return;
    checkCapacity(plan, report);
    checkPlacement(plan, report);
    plan.dms.tasks.forEach((task, index) => {
      if (task.slot_name === null) return;
      report({
        code: SERVERLESS_CDC_START_POINT.code,
        pointer: `/dms/tasks/${index}/slot_name`,
        message: `task "${task.id}" names slot "${task.slot_name}"; DMS Serverless does not support custom CDC start points`,
        hint: 'remove slot_name: DMS creates the slot when the replication starts',
        notes: [{ message: 'the plan runs on DMS Serverless', pointer: '/dms/serverless' }],
      });
    });
    if (plan.dms.credentials.mode === 'secrets_manager') {
      report({
        code: SERVERLESS_SECRETS_ENDPOINT.code,
        pointer: '/dms/credentials',
        message: 'Serverless replications read the endpoint secrets from Secrets Manager only through a VPC endpoint',
        hint: 'create the secretsmanager interface endpoint in the replication VPC, then waive PGF3234',
      });
    }
  },
} satisfies Rule;
