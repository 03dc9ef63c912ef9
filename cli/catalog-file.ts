// Reading a catalog snapshot file for `validate`, `compile`, `diff` and `init --catalog`: one check of
// the format, with a message that says what to do about an old or foreign file.

import { readFile } from 'node:fs/promises';
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

export async function readCatalogFile(path: string, shown = path): Promise<CatalogSnapshot> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CatalogFileError(
      `cannot read catalog snapshot ${shown}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return checkSnapshotFormat(parsed, shown);
}
