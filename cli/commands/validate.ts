// `pgferry validate <plan…>`: every stage short of writing files (parse, schema, rules, graph
// verification), with located diagnostics as text, JSON or GitHub annotations. Also home of the small
// helpers the other plan commands share (reading plan arguments, choosing the renderer).

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { type DiagnosticFormat, renderDiagnostics, summarize, summaryLine } from '../../compiler/diagnostics/render.js';
import { type CompileResult, compilePlan } from '../../compiler/index.js';
import { workingTreeReader } from '../../compiler/plan-files.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { CatalogFileError, readCatalogFile } from '../catalog-file.js';
import { type CliCommand, type CliIo, EXIT } from '../io.js';

export class UsageError extends Error {
  /** Print the command's usage after the message (for malformed invocations, not bad inputs). */
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export function absolutePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** Reads a plan argument; an unreadable file is a usage error (exit 2), not a plan error. */
export async function readPlanFile(io: CliIo, path: string): Promise<Uint8Array> {
  try {
    return await readFile(absolutePath(io, path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read plan ${path} (${reason})`);
  }
}

export async function compileArgument(
  io: CliIo,
  path: string,
  catalog: CatalogSnapshot | null = null,
): Promise<{
  result: CompileResult;
  text: string;
}> {
  const bytes = await readPlanFile(io, path);
  // The files the plan names are relative to the plan, found from the command's working directory.
  const besidePlan = workingTreeReader(dirname(absolutePath(io, path)));
  const result = await compilePlan(path, { text: bytes, catalog, readPlanFile: besidePlan });
  return { result, text: Buffer.from(bytes).toString('utf8') };
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`unknown --format '${value}' (use ${allowed.join('|')})`);
}

export function renderFor(
  io: CliIo,
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  texts: Map<string, string>,
): string {
  return renderDiagnostics(diagnostics, format, {
    sourceText: (file) => texts.get(file),
    color: io.isTTY && io.env.NO_COLOR === undefined,
  });
}

/** Answers --help, then runs a command body, turning UsageError (and parseArgs errors) into exit 2. */
export async function withUsage(
  io: CliIo,
  name: string,
  usage: string,
  args: readonly string[],
  body: () => Promise<number>,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(usage);
    return EXIT.ok;
  }
  try {
    return await body();
  } catch (error) {
    const isParseArgs =
      error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
    if (isParseArgs) {
      io.stderr(`pgferry ${name}: ${(error as Error).message}\n\n${usage}`);
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`pgferry ${name}: ${error.message}\n${error.showUsage ? `\n${usage}` : ''}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** `--catalog FILE` (or PGFERRY_CATALOG) as the plan commands share it; null when neither is given. */
export async function catalogOption(io: CliIo, value: string | undefined): Promise<CatalogSnapshot | null> {
  const path = value ?? io.env.PGFERRY_CATALOG;
  if (!path) return null;
  try {
    return await readCatalogFile(absolutePath(io, path), path);
  } catch (error) {
    if (error instanceof CatalogFileError) throw new UsageError(error.message);
    throw error;
  }
}

const USAGE = `usage: pgferry validate <plan.yaml>… [--format text|json|github] [--catalog snapshot.json] [--strict]

Checks each plan: YAML, schema, semantic rules and the execution graph. Exit 0 when valid (warnings
allowed unless --strict), 1 when any plan has errors, 2 on bad usage or an unreadable file.
Environment: PGFERRY_FORMAT, PGFERRY_CATALOG, PGFERRY_STRICT=1.

Example:
  pgferry validate plans/orders.yaml
  pgferry validate plans/*.yaml --format github
`;

export const command: CliCommand = (args, io) =>
  withUsage(io, 'validate', USAGE, args, async () => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        catalog: { type: 'string' },
        strict: { type: 'boolean' },
        debug: { type: 'boolean' },
      },
    });
    if (positionals.length === 0) throw new UsageError('no plan given', true);
    const format = parseFormat(values.format ?? io.env.PGFERRY_FORMAT, ['text', 'json', 'github'] as const, 'text');
    const catalog = await catalogOption(io, values.catalog);
    const all: Diagnostic[] = [];
    const texts = new Map<string, string>();
    for (const path of positionals) {
      const { result, text } = await compileArgument(io, path, catalog);
      texts.set(path, text);
      all.push(...result.diagnostics);
    }
    const counts = summarize(all);
    if (format === 'text') {
      io.stdout(renderFor(io, all, format, texts));
      const verdict = counts.errors > 0 ? 'invalid' : 'valid';
      io.stdout(
        `${positionals.length === 1 ? positionals[0] : `${positionals.length} plans`}: ${verdict} (${summaryLine(all)})\n`,
      );
    } else {
      io.stdout(renderFor(io, all, format, texts));
    }
    const strict = values.strict === true || io.env.PGFERRY_STRICT === '1';
    const failed = counts.errors > 0 || (strict && counts.warnings > 0);
    return failed ? EXIT.failed : EXIT.ok;
  });
