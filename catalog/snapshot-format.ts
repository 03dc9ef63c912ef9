// The one check of a catalog snapshot's format, for every reader (files given to --catalog, the agent's
// answer, the executor's preflight), with a message that says what to do about an old or foreign one.

import { CATALOG_FORMAT_VERSION, type CatalogSnapshot } from '../contracts/catalog.js';

export class CatalogFileError extends Error {}

/** Checks a parsed snapshot's format; `origin` names where it came from in the message. */
export function checkSnapshotFormat(parsed: unknown, origin: string): CatalogSnapshot {
  const version = (parsed as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version < CATALOG_FORMAT_VERSION) {
    throw new CatalogFileError(
      `${origin} is a catalog snapshot in format ${version}, older than this pgferry reads (${CATALOG_FORMAT_VERSION}): take a new one with \`pgferry catalog\``,
    );
  }
  if (version !== CATALOG_FORMAT_VERSION || !Array.isArray((parsed as { databases?: unknown }).databases)) {
    throw new CatalogFileError(
      `${origin} is not a pgferry catalog snapshot (formatVersion ${String(version)}, expected ${CATALOG_FORMAT_VERSION})`,
    );
  }
  return parsed as CatalogSnapshot;
}
