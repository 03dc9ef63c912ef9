// The inputs the plan commands (validate, compile, graph, diff, catalog, init) share: paths relative to
// the command's directory, a plan read and compiled, `--catalog FILE`, and diagnostics rendered for the
// terminal. An input that cannot be read is an InputError (exit 2), never a plan error.

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { type DiagnosticFormat, renderDiagnostics } from '../compiler/diagnostics/render.js';
import { type CompileResult, compilePlan } from '../compiler/index.js';
import { workingTreeReader } from '../compiler/plan-files.js';
import type { CatalogSnapshot } from '../contracts/catalog.js';
import { CatalogFileError, readCatalogFile } from './catalog-file.js';
import { flag, InputError } from './command.js';
import type { CliIo } from './io.js';

export function absolutePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** Reads a plan argument; an unreadable file is an input error (exit 2), not a plan error. */
export async function readPlanFile(io: CliIo, path: string): Promise<Buffer> {
  try {
    return await readFile(absolutePath(io, path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`cannot read plan ${path} (${reason})`);
  }
}

export async function compileArgument(
  io: CliIo,
  path: string,
  catalog: CatalogSnapshot | null = null,
): Promise<{ result: CompileResult; text: string }> {
  const bytes = await readPlanFile(io, path);
  // The files the plan names are relative to the plan, found from the command's working directory.
  const besidePlan = workingTreeReader(dirname(absolutePath(io, path)));
  const result = await compilePlan(path, { text: bytes, catalog, readPlanFile: besidePlan });
  return { result, text: bytes.toString('utf8') };
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

/** `--catalog FILE` as the plan commands declare it. */
export const CATALOG_FLAG = flag.string('FILE', 'check against a `pgferry catalog` snapshot (PGF5xxx rules)', {
  env: 'PGFERRY_CATALOG',
});

/** Reads `--catalog FILE`; null when it was not given. */
export async function readCatalogOption(io: CliIo, path: string | undefined): Promise<CatalogSnapshot | null> {
  if (path === undefined) return null;
  try {
    return await readCatalogFile(absolutePath(io, path), path);
  } catch (error) {
    if (error instanceof CatalogFileError) throw new InputError(error.message);
    throw error;
  }
}
