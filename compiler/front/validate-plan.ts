// Stage 2, schema validation: the parsed JS value → PGF2xxx diagnostics, one per problem, located at
// the offending key or value. ajv reports by JSON Pointer; this module picks the anchor per keyword
// (the key for unknown keys, the parent for missing ones, the value otherwise) and words the message.

import type { ErrorObject } from 'ajv';
import { closest } from '../../contracts/suggest.js';
import type { CodeInfo } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { schemaCodes } from './codes.js';
import { domainWording } from './domain-messages.js';
import { joinPointer, locatePointer, parsePointer } from './locate.js';
import { planValidator } from './plan-schema.js';
import type { SourceFile } from './source-file.js';

/** `/dms/tasks/0/lob` → `dms.tasks[0].lob`; the root is `the plan`. */
export function dottedPath(pointer: string): string {
  const segments = parsePointer(pointer);
  if (segments.length === 0) return 'the plan';
  return segments.reduce(
    (out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment),
    '',
  );
}

interface Worded {
  readonly code: CodeInfo;
  readonly pointer: string;
  readonly message: string;
  readonly hint: string | null;
  /** Underline the key rather than the value. */
  readonly atKey: boolean;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}…"` : `"${value}"`;
  return String(value);
}

function isVersionSchema(error: ErrorObject): boolean {
  return error.schemaPath.includes('/pgVersion/') || /\/(version|engine_version)$/.test(error.instancePath);
}

function wordError(error: ErrorObject, source: SourceFile): Worded | null {
  const at = error.instancePath;
  const where = dottedPath(at);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const guess = key === '<<' ? undefined : closest(key, allowed);
      const hint =
        key === '<<'
          ? 'YAML merge keys are not supported in plans (YAML 1.2 has none); write the keys out'
          : guess
            ? `did you mean "${guess}"?`
            : allowed.length > 0
              ? `known keys: ${allowed.sort().join(', ')}`
              : null;
      const owner = at === '' ? 'at the top level' : `in ${where}`;
      return {
        code: schemaCodes.unknownKey,
        pointer: joinPointer([...parsePointer(at), key]),
        message: `unknown key "${key}" ${owner}`,
        hint,
        atKey: true,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        code: schemaCodes.missingKey,
        pointer: at,
        message: `${where} is missing the required key "${key}"`,
        hint: `add "${key}:"`,
        atKey: true,
      };
    }
    case 'type': {
      if (error.schemaPath.includes('/secretRef/') && typeof error.data === 'string') {
        return {
          code: schemaCodes.literalSecret,
          pointer: at,
          message: `${where} is a literal string: secrets are never written in a plan`,
          hint: 'write a reference instead: {ssm: /path/to/parameter}, {secretsManager: name-or-arn} or {env: NAME}',
          atKey: false,
        };
      }
      if (isVersionSchema(error) && typeof error.data === 'number') {
        const written = sourceText(source, at) ?? String(error.data);
        return {
          code: schemaCodes.unquotedVersion,
          pointer: at,
          message: `${where} ${written} is a YAML number; versions must be quoted strings`,
          hint: `write "${written}" (with the quotes)`,
          atKey: false,
        };
      }
      const expected = ([] as unknown[]).concat(params.type).join(' or ');
      return {
        code: schemaCodes.wrongType,
        pointer: at,
        message: `${where} must be ${expected}, not ${describeValue(error.data)}`,
        hint: null,
        atKey: false,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      return {
        code: schemaCodes.notAllowed,
        pointer: at,
        message: `${where} is ${describeValue(error.data)}; allowed: ${allowed.join(', ')}`,
        hint: guess ? `did you mean "${guess}"?` : null,
        atKey: false,
      };
    }
    case 'const':
      return {
        code: schemaCodes.notAllowed,
        pointer: at,
        message: `${where} must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(error.data)}`,
        hint: null,
        atKey: false,
      };
    case 'pattern':
    case 'format': {
      const domain = domainWording(error, where);
      if (domain) return { code: schemaCodes.badFormat, pointer: at, ...domain, atKey: false };
      const description = typeof error.parentSchema?.description === 'string' ? error.parentSchema.description : null;
      const rule =
        error.keyword === 'pattern' ? `the pattern ${String(params.pattern)}` : `the ${String(params.format)} format`;
      return {
        code: schemaCodes.badFormat,
        pointer: at,
        message: `${where} ${describeValue(error.data)} does not match ${rule}`,
        hint: description,
        atKey: false,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
    case 'maxProperties': {
      const domain = domainWording(error, where);
      if (domain) return { code: schemaCodes.outOfRange, pointer: at, ...domain, atKey: false };
      const message =
        error.keyword === 'minProperties' && error.schemaPath.includes('/secretRef/')
          ? `${where} names no secret`
          : error.keyword === 'maxProperties' && error.schemaPath.includes('/secretRef/')
            ? `${where} must name exactly one of ssm, secretsManager, env`
            : `${where} ${error.message ?? 'is out of range'}`;
      return { code: schemaCodes.outOfRange, pointer: at, message, hint: null, atKey: false };
    }
    case 'uniqueItems': {
      // ajv names the pair (i, j); underline the later one, which is the repetition.
      const [first, second] = [Number(params.i), Number(params.j)].sort((a, b) => a - b) as [number, number];
      return {
        code: schemaCodes.duplicateItem,
        pointer: joinPointer([...parsePointer(at), String(second)]),
        message: `${where} lists ${describeValue((error.data as unknown[])[second])} twice (items ${first} and ${second})`,
        hint: 'remove the duplicate',
        atKey: false,
      };
    }
    case 'discriminator':
    case 'oneOf':
      // The enum on the tag and the chosen branch's own errors already say what is wrong.
      return null;
    default:
      return {
        code: schemaCodes.schemaViolation,
        pointer: at,
        message: `${where} ${error.message ?? 'is invalid'}`,
        hint: null,
        atKey: false,
      };
  }
}

function sourceText(source: SourceFile, pointer: string): string | undefined {
  const node = source.doc.getIn(parsePointer(pointer), true) as { range?: [number, number, number] } | undefined;
  return node?.range ? source.text.slice(node.range[0], node.range[1]) : undefined;
}

/** Validates the parsed document against the plan schema; returns diagnostics, deduplicated. */
export function validatePlan(source: SourceFile, value: unknown): Diagnostic[] {
  const validate = planValidator();
  if (validate(value)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const worded = wordError(error, source);
    if (!worded) continue;
    const key = `${worded.code.code}\u0000${worded.pointer}\u0000${worded.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({
      code: worded.code.code,
      name: worded.code.name,
      severity: worded.code.severity,
      message: worded.message,
      file: source.path,
      span: locatePointer(source, worded.pointer, { key: worded.atKey }),
      pointer: worded.pointer,
      notes: [],
      hint: worded.hint,
    });
  }
  if (diagnostics.length === 0) {
    // Only branch-selection errors fired (no specific one): still say something, at the root.
    const first = validate.errors?.[0];
    diagnostics.push({
      code: schemaCodes.schemaViolation.code,
      name: schemaCodes.schemaViolation.name,
      severity: 'error',
      message: `${dottedPath(first?.instancePath ?? '')} ${first?.message ?? 'does not match the plan schema'}`,
      file: source.path,
      span: locatePointer(source, first?.instancePath ?? ''),
      pointer: first?.instancePath ?? '',
      notes: [],
      hint: null,
    });
  }
  return diagnostics;
}
