// DMS resource identifiers, including the endpoint names pgferry generates, must be valid and unique;
// tags must respect AWS's limits and reserved prefixes.

import { compareText } from '../../contracts/compare.js';
import { defineCode } from '../diagnostics/codes.js';
import { escapeSegment } from '../front/locate.js';
import { AWS_REGIONS, AWS_REGIONS_SOURCE } from '../knowledge/aws-regions.generated.js';
import { dmsIdentifierProblem, identifierKey } from '../knowledge/identifiers.js';
import { sourceEndpointId, targetEndpointId } from '../model/names.js';
import type { Rule } from './rule.js';
import { didYouMean } from './support/suggest.js';

const AWS_REGION_CODES = AWS_REGIONS.map((region) => region.code);

export const DMS_IDENTIFIER_INVALID = defineCode({
  code: 'PGF3200',
  name: 'dms-identifier-invalid',
  severity: 'error',
  title: 'A DMS identifier breaks AWS naming rules',
  explanation:
    'DMS identifiers contain only ASCII letters, digits and hyphens, start with a letter, do not end with a hyphen ' +
    'or contain two consecutive hyphens, and are at most 63 characters for a replication instance and 255 for an ' +
    'endpoint or a task. Endpoint identifiers are generated as <plan>-<database>-src/-tgt, so a long plan name or ' +
    'database name can break them too. Rename the resource (or shorten the plan name).',
});

export const DMS_IDENTIFIER_DUPLICATE = defineCode({
  code: 'PGF3201',
  name: 'dms-identifier-duplicate',
  severity: 'error',
  title: 'Two DMS resources of the same kind share an identifier',
  explanation:
    'DMS identifiers are unique per account and region, case-insensitively. Two tasks with the same id, or two ' +
    'databases whose generated endpoint identifiers collide (orders_eu and orders-eu both give orders-eu), make the ' +
    'second create call fail. Give each task a distinct id, or rename a database mapping.',
});

export const DMS_TAG_INVALID = defineCode({
  code: 'PGF3202',
  name: 'dms-tag-invalid',
  severity: 'error',
  title: 'A DMS tag is invalid or reserved',
  explanation:
    'AWS tag keys are 1–128 characters and values at most 256, a resource carries at most 50 tags, keys starting with ' +
    '"aws:" are reserved for AWS, and pgferry sets "pgferry:plan" itself to find its resources. Rename or remove the ' +
    'tag in dms.tags.',
});

export const DMS_REGION_INVALID = defineCode({
  code: 'PGF3203',
  name: 'dms-region-invalid',
  severity: 'error',
  title: 'The AWS region is not a region name',
  explanation:
    'dms.region must be an AWS region code such as eu-west-1 or us-gov-west-1 (not an availability zone such as ' +
    'eu-west-1a, nor a display name). The known regions are the partition data the AWS SDK ships ' +
    `(${AWS_REGIONS_SOURCE}, compiler/knowledge/aws-regions.generated.ts); a region newer than the SDK pgferry ` +
    'was built with needs an SDK upgrade and `node scripts/aws-knowledge.mjs`.',
});

export const identifiersRule = {
  codes: [DMS_IDENTIFIER_INVALID, DMS_IDENTIFIER_DUPLICATE, DMS_TAG_INVALID, DMS_REGION_INVALID],
  needsCatalog: false,
  check({ plan, report }) {
    const instanceId = plan.dms.replication_instance?.identifier ?? null;
    const instanceProblem = instanceId === null ? null : dmsIdentifierProblem(instanceId, 'replication instance');
    if (instanceProblem) {
      report({
        code: DMS_IDENTIFIER_INVALID.code,
        pointer: '/dms/replication_instance/identifier',
        message: `replication instance identifier "${instanceId}" is invalid: ${instanceProblem}`,
      });
    }
    const taskIds = new Map<string, number>();
    plan.dms.tasks.forEach((task, index) => {
      const pointer = `/dms/tasks/${index}/id`;
      const problem = dmsIdentifierProblem(task.id, 'task');
      if (problem) {
        report({
          code: DMS_IDENTIFIER_INVALID.code,
          pointer,
          message: `task identifier "${task.id}" is invalid: ${problem}`,
        });
      }
      const first = taskIds.get(identifierKey(task.id));
      if (first !== undefined) {
        report({
          code: DMS_IDENTIFIER_DUPLICATE.code,
          pointer,
          message: `task identifier "${task.id}" is already used by task ${first} ("${plan.dms.tasks[first]!.id}")`,
          notes: [{ message: 'first used here', pointer: `/dms/tasks/${first}/id` }],
        });
      } else taskIds.set(identifierKey(task.id), index);
    });
    const endpoints = new Map<string, number>();
    plan.source.databases.forEach((database, index) => {
      const pointer = `/source/databases/${index}`;
      for (const side of ['src', 'tgt'] as const) {
        const id = side === 'src' ? sourceEndpointId(plan, database) : targetEndpointId(plan, database);
        const problem = dmsIdentifierProblem(id, 'endpoint');
        if (problem) {
          report({
            code: DMS_IDENTIFIER_INVALID.code,
            pointer,
            message: `generated endpoint identifier "${id}" for database "${database}" is invalid: ${problem}`,
            hint: 'shorten the plan name or the database name',
          });
        }
        const first = endpoints.get(identifierKey(id));
        if (first !== undefined && first !== index) {
          report({
            code: DMS_IDENTIFIER_DUPLICATE.code,
            pointer,
            message: `database "${database}" generates endpoint identifier "${id}", which database "${plan.source.databases[first]}" already generates`,
            notes: [{ message: 'the other database', pointer: `/source/databases/${first}` }],
          });
          break;
        }
        endpoints.set(identifierKey(id), index);
      }
    });
    const tagCount = Object.keys(plan.dms.tags).length;
    if (tagCount > 49) {
      report({
        code: DMS_TAG_INVALID.code,
        pointer: '/dms/tags',
        message: `${tagCount} tags plus pgferry:plan exceed AWS's limit of 50 tags per resource`,
      });
    }
    for (const [key, value] of Object.entries(plan.dms.tags).sort(([a], [b]) => compareText(a, b))) {
      const pointer = `/dms/tags/${escapeSegment(key)}`;
      let problem: string | null = null;
      if (key.length === 0 || key.length > 128) problem = `key "${key}" must be 1–128 characters`;
      else if (key.toLowerCase().startsWith('aws:')) problem = `key "${key}" uses the reserved prefix "aws:"`;
      else if (key === 'pgferry:plan') problem = 'key "pgferry:plan" is set by pgferry itself';
      else if (value.length > 256) problem = `the value of "${key}" is longer than 256 characters`;
      if (problem) report({ code: DMS_TAG_INVALID.code, pointer, message: `tag ${problem}` });
    }
    const region = plan.dms.region;
    if (!AWS_REGION_CODES.includes(region)) {
      const zone = /\d[a-z]$/.test(region) && AWS_REGION_CODES.includes(region.slice(0, -1));
      report({
        code: DMS_REGION_INVALID.code,
        pointer: '/dms/region',
        message: zone
          ? `"${region}" is an availability zone, not a region`
          : `"${region}" is not an AWS region${didYouMean(region, AWS_REGION_CODES)}`,
        hint: zone
          ? `use "${region.slice(0, -1)}"`
          : "use a region code such as eu-west-1 (the SDK's partition data lists them)",
      });
    }
  },
} satisfies Rule;
