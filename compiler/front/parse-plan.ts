// Stage 1, parse: bytes or text → one yaml Document plus its plain JS value. Consumes untrusted input,
// so it caps size, alias expansion and depth, and refuses non-UTF-8, binary, empty and multi-document
// files. Every problem is a PGF1xxx diagnostic with a line:column; nothing here throws for bad input.

import { isAlias, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import type { CodeInfo } from '../diagnostics/codes.js';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import { parseCodes } from './codes.js';
import { type SourceFile, spanOf } from './source-file.js';

export const MAX_PLAN_BYTES = 16 * 1024 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_DEPTH = 64;
const TOO_DEEP_HINT =
  'a plan nests a handful of levels (dms → tasks → tables → include); this file looks generated or hostile: check that it is the plan you meant';

export interface ParseResult {
  readonly source: SourceFile | null;
  /** The document as plain JSON data; undefined when parsing failed. */
  readonly value: unknown;
  readonly diagnostics: Diagnostic[];
}

export function fileDiagnostic(file: string, code: CodeInfo, message: string, hint: string | null = null): Diagnostic {
  return {
    code: code.code,
    name: code.name,
    severity: code.severity,
    message,
    file,
    span: null,
    pointer: null,
    notes: [],
    hint,
  };
}

/** Whole-file problems still get a place, so every message reads file:line:column. */
const START_OF_FILE: Span = { start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };

/** 1-based line:col of a character offset, for problems found before a LineCounter exists. */
function positionAt(text: string, offset: number): Span {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return { start: { line, col }, end: { line, col: col + 1 } };
}

function decode(file: string, input: string | Uint8Array): string | Diagnostic {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_PLAN_BYTES) {
    return {
      ...fileDiagnostic(
        file,
        parseCodes.tooLarge,
        `the plan is ${size} bytes, over the ${MAX_PLAN_BYTES}-byte limit`,
        'select tables with patterns (public.%, public.order[_]%) instead of listing each one; check that this is the plan file you meant',
      ),
      span: START_OF_FILE,
    };
  }
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      // Decode again leniently only to say where the first bad byte sits.
      const lenient = new TextDecoder('utf-8').decode(input);
      return {
        ...fileDiagnostic(file, parseCodes.notText, 'the file is not valid UTF-8', 're-save the plan as UTF-8 text'),
        span: positionAt(lenient, Math.max(0, lenient.indexOf('\uFFFD'))),
      };
    }
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      ...fileDiagnostic(file, parseCodes.notText, 'the file contains NUL bytes: it looks binary, not a YAML plan'),
      span: positionAt(text, nul),
    };
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const codeForYamlError: Partial<Record<YAMLError['code'], CodeInfo>> = {
  DUPLICATE_KEY: parseCodes.duplicateKey,
  MULTIPLE_DOCS: parseCodes.multipleDocuments,
  TAB_AS_INDENT: parseCodes.tabIndent,
  RESOURCE_EXHAUSTION: parseCodes.tooDeep,
};

function firstLine(message: string): string {
  // yaml appends " at line N, column M:" and a code frame; we render our own.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function fromYamlError(source: Pick<SourceFile, 'path' | 'text' | 'lineCounter'>, error: YAMLError): Diagnostic {
  const code = codeForYamlError[error.code] ?? parseCodes.syntax;
  const [start, end] = error.pos;
  let message = code === parseCodes.tooDeep ? 'the document nests too deeply to read' : firstLine(error.message);
  if (code === parseCodes.duplicateKey) {
    const key = source.text.slice(start).split(/[:\n]/)[0]?.trim();
    message = key ? `duplicate key "${key}"` : 'duplicate key in mapping';
  }
  return {
    code: code.code,
    name: code.name,
    severity: 'error',
    message,
    file: source.path,
    span: spanOf(source, start, Math.max(end, start + 1)),
    pointer: null,
    notes: [],
    hint: code === parseCodes.tooDeep ? TOO_DEEP_HINT : null,
  };
}

/**
 * After one syntax error the parser's later complaints are mostly echoes of it (a tab indent yields a
 * dozen), so only the first is kept; duplicate keys are independent of each other and all kept.
 */
function firstOfCascade(errors: readonly YAMLError[]): YAMLError[] {
  const duplicates = errors.filter((error) => error.code === 'DUPLICATE_KEY');
  const others = errors.filter((error) => error.code !== 'DUPLICATE_KEY').sort((a, b) => a.pos[0] - b.pos[0]);
  return others.length > 0 ? [...duplicates, others[0]!] : duplicates;
}

/**
 * Offset where flow brackets nest deeper than `limit`, or -1. Runs before parsing because the yaml
 * parser is recursive and hostile nesting would exhaust its stack. Quotes and comments are skipped.
 */
function flowDepthOverflow(text: string, limit: number): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return -1;
}

function depthExceeds(value: unknown, limit: number): boolean {
  // Iterative: a recursive walk is exactly what deep input would overflow.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function firstAliasOffset(source: SourceFile): number {
  let offset = 0;
  visit(source.doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

/** Parses one plan file. `input` is the raw bytes (checked as UTF-8) or already-decoded text. */
export function parsePlan(path: string, input: string | Uint8Array): ParseResult {
  const text = decode(path, input);
  if (typeof text !== 'string') return { source: null, value: undefined, diagnostics: [text] };
  const overflow = flowDepthOverflow(text, MAX_DEPTH);
  if (overflow >= 0) {
    return {
      source: null,
      value: undefined,
      diagnostics: [
        {
          ...fileDiagnostic(
            path,
            parseCodes.tooDeep,
            `the document nests more than ${MAX_DEPTH} levels deep`,
            TOO_DEEP_HINT,
          ),
          span: positionAt(text, overflow),
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const source: SourceFile = { path, text, doc, lineCounter };
  const problems = firstOfCascade([...doc.errors, ...doc.warnings]).map((error) => fromYamlError(source, error));
  if (problems.length > 0) return { source, value: undefined, diagnostics: problems };
  if (doc.contents === null) {
    return {
      source,
      value: undefined,
      diagnostics: [
        {
          ...fileDiagnostic(path, parseCodes.empty, 'the file holds no YAML document', 'start from plans/orders.yaml'),
          span: START_OF_FILE,
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const offset = firstAliasOffset(source);
    const message =
      error instanceof ReferenceError
        ? `aliases expand beyond the budget of ${MAX_ALIAS_COUNT}: this looks like a "billion laughs" document`
        : `the document cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    const code = error instanceof ReferenceError ? parseCodes.aliasBudget : parseCodes.syntax;
    const hint =
      error instanceof ReferenceError
        ? `write the repeated values out, or use fewer anchors: pgferry expands at most ${MAX_ALIAS_COUNT} aliases`
        : null;
    const diagnostic: Diagnostic = {
      ...fileDiagnostic(path, code, message, hint),
      span: spanOf(source, offset, offset + 1),
    };
    return { source, value: undefined, diagnostics: [diagnostic] };
  }
  if (depthExceeds(value, MAX_DEPTH)) {
    return {
      source,
      value: undefined,
      diagnostics: [
        {
          ...fileDiagnostic(
            path,
            parseCodes.tooDeep,
            `the document nests more than ${MAX_DEPTH} levels deep`,
            TOO_DEEP_HINT,
          ),
          span: START_OF_FILE,
        },
      ],
    };
  }
  return { source, value, diagnostics: [] };
}
