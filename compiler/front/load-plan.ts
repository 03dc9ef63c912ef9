// The front end in one call: read → parse → validate → resolve. Returns the resolved plan (null when
// any stage found an error), the diagnostics so far, and `locate`, which turns the JSON Pointers of
// later stages (rules, graph origins) into spans of this file.

import { readFile } from 'node:fs/promises';
import { type Diagnostic, hasErrors, type Span, sortDiagnostics } from '../diagnostics/diagnostic.js';
import type { Plan } from '../model/plan.js';
import { parseCodes } from './codes.js';
import { locatorFor } from './locate.js';
import { fileDiagnostic, parsePlan } from './parse-plan.js';
import { resolvePlan } from './resolve-plan.js';
import { validatePlan } from './validate-plan.js';

export interface LoadResult {
  readonly plan: Plan | null;
  readonly diagnostics: Diagnostic[];
  locate(pointer: string): Span | null;
}

/** Loads a plan from `file`, or from `text` (string or raw bytes) when given, reporting as `file`. */
export async function loadPlan(file: string, text?: string | Uint8Array): Promise<LoadResult> {
  let input = text;
  if (input === undefined) {
    try {
      input = await readFile(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      return {
        plan: null,
        diagnostics: [fileDiagnostic(file, parseCodes.unreadable, `cannot read the plan file (${reason})`)],
        locate: () => null,
      };
    }
  }
  const parsed = parsePlan(file, input);
  const locate = locatorFor(parsed.source);
  if (!parsed.source || hasErrors(parsed.diagnostics)) {
    return { plan: null, diagnostics: sortDiagnostics(parsed.diagnostics), locate };
  }
  const schemaDiagnostics = validatePlan(parsed.source, parsed.value);
  if (hasErrors(schemaDiagnostics)) return { plan: null, diagnostics: sortDiagnostics(schemaDiagnostics), locate };
  return { plan: resolvePlan(parsed.value), diagnostics: sortDiagnostics(schemaDiagnostics), locate };
}
