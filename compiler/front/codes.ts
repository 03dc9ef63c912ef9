// Diagnostic codes of the front end: PGF1xxx for reading the YAML file, PGF2xxx for the schema.
// Codes are never reused; retire one by leaving a gap.

import { defineCode } from '../diagnostics/codes.js';

export const parseCodes = {
  syntax: defineCode({
    code: 'PGF1001',
    name: 'yaml-syntax',
    severity: 'error',
    title: 'The file is not well-formed YAML',
    explanation:
      'The YAML parser could not read the file at the given place. Fix the indentation, quoting or punctuation there; plans use plain YAML 1.2 (the core schema), so yes/no stay strings.',
  }),
  duplicateKey: defineCode({
    code: 'PGF1002',
    name: 'duplicate-key',
    severity: 'error',
    title: 'A mapping has the same key twice',
    explanation:
      'YAML parsers disagree about which of two equal keys wins, so a plan that repeats a key is ambiguous. Remove or merge the second occurrence.',
  }),
  multipleDocuments: defineCode({
    code: 'PGF1003',
    name: 'multiple-documents',
    severity: 'error',
    title: 'The file holds more than one YAML document',
    explanation:
      'A plan is exactly one YAML document. Remove the `---` separator and everything after it, or split the file.',
  }),
  aliasBudget: defineCode({
    code: 'PGF1004',
    name: 'alias-budget',
    severity: 'error',
    title: 'Too many alias expansions (a "billion laughs" document)',
    explanation:
      'Anchors and aliases that expand to a huge document are a resource-exhaustion attack. pgferry expands at most 100 aliases; write the values out instead.',
  }),
  empty: defineCode({
    code: 'PGF1005',
    name: 'empty-plan',
    severity: 'error',
    title: 'The file holds no plan',
    explanation: 'The file is empty or only has comments. Start from plans/orders.yaml.',
  }),
  notText: defineCode({
    code: 'PGF1006',
    name: 'not-utf8-text',
    severity: 'error',
    title: 'The file is not UTF-8 text',
    explanation:
      'Plans are UTF-8 text. The file has bytes that are not valid UTF-8, or NUL bytes (a binary file). Re-save it as UTF-8.',
  }),
  tooLarge: defineCode({
    code: 'PGF1007',
    name: 'file-too-large',
    severity: 'error',
    title: 'The file is larger than the plan size limit',
    explanation: 'A plan may be at most 16 MiB. Use table patterns (`public.%`) rather than listing every table.',
  }),
  tooDeep: defineCode({
    code: 'PGF1008',
    name: 'nesting-too-deep',
    severity: 'error',
    title: 'The document nests deeper than any plan needs',
    explanation:
      'A plan nests a handful of levels; more than 64 levels is refused so hostile input cannot exhaust the stack.',
  }),
  tabIndent: defineCode({
    code: 'PGF1009',
    name: 'tab-indent',
    severity: 'error',
    title: 'A tab is used for indentation',
    explanation: 'YAML forbids tabs as indentation. Indent with spaces.',
  }),
  unreadable: defineCode({
    code: 'PGF1010',
    name: 'unreadable-file',
    severity: 'error',
    title: 'The plan file cannot be read',
    explanation: 'The file does not exist or is not readable by the current user. Check the path.',
  }),
} as const;

export const schemaCodes = {
  unknownKey: defineCode({
    code: 'PGF2001',
    name: 'unknown-key',
    severity: 'error',
    title: 'A key the plan format does not know',
    explanation:
      'Every object in a plan has a fixed set of keys (see docs/plan-format.md). A misspelt key would otherwise be silently ignored, so it is an error; the message suggests the closest known key.',
  }),
  missingKey: defineCode({
    code: 'PGF2002',
    name: 'missing-key',
    severity: 'error',
    title: 'A required key is missing',
    explanation:
      'The object lacks a key that has no default. Add it; docs/plan-format.md lists what each object requires.',
  }),
  wrongType: defineCode({
    code: 'PGF2003',
    name: 'wrong-type',
    severity: 'error',
    title: 'A value has the wrong type',
    explanation:
      'The value is, say, a list where a string is expected. YAML 1.2 reads 16.4 as a number and yes as a string.',
  }),
  notAllowed: defineCode({
    code: 'PGF2004',
    name: 'not-allowed-value',
    severity: 'error',
    title: 'A value is not one of the allowed values',
    explanation: 'The key takes one of a fixed set of values, listed in the message.',
  }),
  badFormat: defineCode({
    code: 'PGF2005',
    name: 'bad-format',
    severity: 'error',
    title: 'A string does not have the expected form',
    explanation:
      'Names, regions, URLs and versions have a fixed form, given in the message and in docs/plan-format.md.',
  }),
  outOfRange: defineCode({
    code: 'PGF2006',
    name: 'out-of-range',
    severity: 'error',
    title: 'A number, list or string is outside its allowed range',
    explanation: 'The value is below the minimum or above the maximum the plan format (or AWS) allows.',
  }),
  duplicateItem: defineCode({
    code: 'PGF2007',
    name: 'duplicate-item',
    severity: 'error',
    title: 'A list repeats an item',
    explanation: 'Lists of names (databases, roles, patterns) must not repeat an item. Remove the duplicate.',
  }),
  literalSecret: defineCode({
    code: 'PGF2008',
    name: 'literal-secret',
    severity: 'error',
    title: 'A secret is written in clear text',
    explanation:
      'Passwords and tokens never appear in a plan, which is committed and reviewed. Store the secret in SSM Parameter Store or Secrets Manager and write a reference: {ssm: /path}, {secretsManager: name-or-arn}, or {env: NAME} for local runs.',
  }),
  unquotedVersion: defineCode({
    code: 'PGF2009',
    name: 'unquoted-version',
    severity: 'error',
    title: 'A version is written as a YAML number',
    explanation:
      'YAML reads 16.4 or 9.6 as numbers, and 9.10 as 9.1. Quote versions so they are kept exactly as written: version: "16.4".',
  }),
  schemaViolation: defineCode({
    code: 'PGF2010',
    name: 'schema-violation',
    severity: 'error',
    title: 'The plan does not match the plan schema',
    explanation: 'A structural problem not covered by a more specific code. The message gives the schema rule.',
  }),
} as const;
