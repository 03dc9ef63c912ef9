// Reading a catalog snapshot file for `validate`, `compile`, `diff` and `init --catalog`: one check of
// the format, with a message that says what to do about an old or foreign file.

import { readFile } from 'node:fs/promises';
import { CatalogFileError, checkSnapshotFormat } from '../catalog/snapshot-format.js';
import type { CatalogSnapshot } from '../contracts/catalog.js';

export { CatalogFileError, checkSnapshotFormat };

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
