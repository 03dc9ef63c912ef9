// Rule and graph findings carry a JSON Pointer; this turns them into located diagnostics of the plan
// file, with the code's registered name and default severity.

import type { CatalogSnapshot } from '../../contracts/catalog.js';
import { lookupCode } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Finding } from '../rules/rule.js';
import type { Locate } from './locate.js';

export type { CatalogSnapshot };

export function findingToDiagnostic(finding: Finding, file: string, locate: Locate): Diagnostic {
  const info = lookupCode(finding.code);
  return {
    code: finding.code,
    name: info?.name ?? 'unregistered-code',
    severity: finding.severity ?? info?.severity ?? 'error',
    message: finding.message,
    file,
    span: locate(finding.pointer),
    pointer: finding.pointer,
    notes: (finding.notes ?? []).map((note) =>
      note.pointer === undefined
        ? { message: note.message }
        : { message: note.message, file, span: locate(note.pointer) ?? undefined },
    ),
    hint: finding.hint ?? null,
  };
}
