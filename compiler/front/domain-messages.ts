// Schema rejections that have a meaning in PostgreSQL or AWS terms, worded as the user would say them:
// what is wrong, the fact behind it, and what to write instead. The schema keeps its patterns and limits
// (editors use them); this table only replaces ajv's "does not match the pattern ^…$" for the keys where
// a person needs the fact, not the regular expression. Rules are found by the value's place in the plan
// (the schema paths of inlined definitions are relative, so they do not say which key failed). The
// location is the generic wording's.

import type { ErrorObject } from 'ajv';
import { versionNumOf } from '../../contracts/pg-version.js';
import { closest } from '../../contracts/suggest.js';
import { AWS_REGIONS } from '../knowledge/aws-regions.generated.js';
import { DMS_INSTANCE_CLASSES } from '../knowledge/dms-instance-classes.js';
import { PG_9_4 } from '../knowledge/pg-versions.js';

export interface DomainWording {
  readonly message: string;
  readonly hint: string | null;
}

type Word = (value: unknown, where: string) => DomainWording;

interface DomainRule {
  /** The plan location (ajv's `instancePath`, a JSON Pointer) of the values this wording is for. */
  readonly at: RegExp;
  /** The schema keywords it replaces the generic wording of. */
  readonly keywords: readonly string[];
  readonly word: Word;
}

const quoted = (value: unknown) => (typeof value === 'string' ? `"${value}"` : String(value));
const suggestion = (value: unknown, candidates: readonly string[]) => {
  const match = typeof value === 'string' ? closest(value, candidates) : undefined;
  return match ? `did you mean "${match}"?` : null;
};

function pgVersion(value: unknown, where: string): DomainWording {
  const text = String(value);
  const num = versionNumOf(text);
  if (num !== null && num < PG_9_4) {
    return {
      message: `${where} ${quoted(value)} is older than PostgreSQL 9.4: DMS needs 9.4 or later, the first release with logical decoding`,
      hint: 'upgrade the source in place to 9.4 or later first (pg_upgrade), or migrate with pg_dump/pg_restore',
    };
  }
  return {
    message: `${where} ${quoted(value)} is not a PostgreSQL version: write what SHOW server_version prints`,
    hint: 'major.minor for 10 and later ("16.4"), major.major.minor before 10 ("9.6.24"); quoted',
  };
}

const RULES: readonly DomainRule[] = [
  { at: /^\/(source|target)\/version$/, keywords: ['pattern'], word: pgVersion },
  {
    at: /^\/(source|target)\/port$/,
    keywords: ['minimum', 'maximum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a TCP port: ports run from 1 to 65535`,
      hint: "PostgreSQL's default is 5432",
    }),
  },
  {
    at: /^\/name$/,
    keywords: ['pattern', 'maxLength'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} cannot be a plan name: it becomes part of every DMS identifier and tag, which take lowercase letters, digits and hyphens, starting with a letter, and the generated endpoint identifiers must fit in their limits (40 characters for the name)`,
      hint: typeof value === 'string' ? `e.g. "${dmsSafe(value).slice(0, 40) || 'orders'}"` : null,
    }),
  },
  {
    at: /^\/dms\/tasks\/\d+\/slot_name$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a replication slot name: PostgreSQL allows only lowercase letters, digits and underscores, 1 to 63 characters`,
      hint: typeof value === 'string' ? `e.g. "${slotSafe(value)}"` : null,
    }),
  },
  {
    at: /^\/dms\/region$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not an AWS region code`,
      hint:
        suggestion(
          value,
          AWS_REGIONS.map((region) => region.code),
        ) ?? 'write a region code such as eu-west-1 (not an availability zone or a display name)',
    }),
  },
  {
    at: /^\/dms\/replication_instance\/class$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a DMS replication instance class: DMS classes are dms.<family>.<size>`,
      hint:
        suggestion(
          typeof value === 'string' && !value.startsWith('dms.') ? `dms.${value.replace(/^db\./, '')}` : value,
          DMS_INSTANCE_CLASSES,
        ) ?? 'e.g. dms.r6i.large or dms.c5.xlarge; an RDS (db.r5.large) or EC2 (m5.large) class is not one',
    }),
  },
  {
    at: /^\/dms\/replication_instance\/engine_version$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a DMS engine version: they are three numbers, such as "3.5.4"`,
      hint: 'quote it, and pin the exact version (DMS picks the newest one when none is given)',
    }),
  },
  {
    at: /^\/dms\/replication_instance\/allocated_storage$/,
    keywords: ['minimum', 'maximum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} GB is outside what DMS accepts: 5 to 6144 GB`,
      hint: 'size it for the logs and the changes cached during the full load (50 to 100 GB is typical)',
    }),
  },
  {
    at: /^\/dms\/tasks\/\d+\/full_load\/max_sub_tasks$/,
    keywords: ['minimum', 'maximum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)}: DMS loads 1 to 49 tables in parallel per task (MaxFullLoadSubTasks)`,
      hint: 'the DMS default is 8',
    }),
  },
  {
    at: /^\/dms\/tasks\/\d+\/full_load\/commit_rate$/,
    keywords: ['minimum', 'maximum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)}: DMS commits 1 to 50000 rows per batch in a full load (CommitRate)`,
      hint: 'the DMS default is 10000',
    }),
  },
  {
    at: /^\/dms\/tasks\/\d+\/tables\/(include|exclude)\/\d+$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a table pattern: write schema.table with exactly one dot and no spaces`,
      hint: 'e.g. public.orders, or public.% for every table of a schema (% and _ are the DMS wildcards)',
    }),
  },
  {
    at: /^\/source\/settings\/logical_decoding_work_mem$/,
    keywords: ['minimum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is below PostgreSQL's minimum for logical_decoding_work_mem, 64 (kB)`,
      hint: 'the PostgreSQL default is 65536 (64 MB)',
    }),
  },
  {
    at: /^\/source\/settings\/max_slot_wal_keep_size$/,
    keywords: ['minimum'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)}: max_slot_wal_keep_size is -1 (no limit) or a size in MB`,
      hint: 'size it below the free space of the WAL disk',
    }),
  },
  {
    at: /\/ssm$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not an SSM parameter path: pgferry reads parameters by their full path, starting with /`,
      hint:
        typeof value === 'string' ? `e.g. "/${value.replace(/^\/*/, '').replace(/[^A-Za-z0-9_.\-/]/g, '-')}"` : null,
    }),
  },
  {
    at: /\/env$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not an environment variable name: letters, digits and underscores, not starting with a digit`,
      hint: null,
    }),
  },
  {
    at: /^\/dms\/credentials\/access_role_arn$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not an IAM role ARN`,
      hint: 'e.g. arn:aws:iam::123456789012:role/dms-secrets-access',
    }),
  },
  {
    at: /^\/source\/(agent\/url|patroni\/rest_url)$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not an http:// or https:// URL`,
      hint: 'e.g. https://db1.internal:8443',
    }),
  },
  {
    at: /^\/waivers\/\d+\/code$/,
    keywords: ['pattern'],
    word: (value, where) => ({
      message: `${where} ${quoted(value)} is not a pgferry rule code`,
      hint: 'codes look like PGF3213; `pgferry rules` lists them',
    }),
  },
];

function dmsSafe(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .replace(/-$/, '');
}

function slotSafe(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 63) || 'pgferry_slot'
  );
}

/** The domain wording for a schema error, or null to keep the generic one. */
export function domainWording(error: ErrorObject, where: string): DomainWording | null {
  const rule = RULES.find(
    (candidate) => candidate.keywords.includes(error.keyword) && candidate.at.test(error.instancePath),
  );
  return rule ? rule.word(error.data, where) : null;
}
