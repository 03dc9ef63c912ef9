// Ordinal text comparison for everything that orders output. Locale-aware comparison follows the ICU locale of
// the machine (LANG), so the same plan could compile to different bytes on two hosts; comparing UTF-16
// code units does not depend on anything but the strings.

/** -1, 0 or 1 by UTF-16 code unit, like `Array.prototype.sort()` without a comparator. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
