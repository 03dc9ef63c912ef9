// Parsing pg_hba addresses and ranges (IPv4 and IPv6, CIDR). Pure, no dependencies: BigInt holds both
// families. One parser for the compiler's plan rules and the agent's pg_hba checks, strict where
// PostgreSQL is lenient: `010.0.1.0` (glibc reads 010 as octal 8) is refused rather than meaning 8.0.1.0.

export interface Cidr {
  readonly family: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

export type CidrParse = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const words: number[] = [];
  const pushGroups = (groups: string[], target: number[]): boolean => {
    for (const [index, group] of groups.entries()) {
      if (group.includes('.') && index === groups.length - 1) {
        const v4 = parseIpv4(group);
        if (v4 === null) return false;
        target.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) target.push(Number.parseInt(group, 16));
      else return false;
    }
    return true;
  };
  const tailWords: number[] = [];
  if (!pushGroups(head, words) || !pushGroups(tail, tailWords)) return null;
  const missing = 8 - words.length - tailWords.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...words, ...new Array<number>(missing).fill(0), ...tailWords];
  return all.reduce((acc, word) => (acc << 16n) | BigInt(word), 0n);
}

/** A bare IPv4 or IPv6 address (no prefix), or null. */
export function parseAddress(text: string): { readonly family: 4 | 6; readonly address: bigint } | null {
  const v4 = text.includes(':') ? null : parseIpv4(text);
  if (v4 !== null) return { family: 4, address: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : { family: 6, address: v6 };
}

export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'it has no "/prefix" length' };
  const host = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return { ok: false, reason: `"${prefixText}" is not a prefix length` };
  const prefix = Number(prefixText);
  const parsed = parseAddress(host);
  if (parsed === null) return { ok: false, reason: `"${host}" is not an IPv4 or IPv6 address` };
  const width = bits(parsed.family);
  if (prefix > width) return { ok: false, reason: `an IPv${parsed.family} prefix is at most ${width}, not ${prefix}` };
  return { ok: true, cidr: { ...parsed, prefix } };
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function hostMask(cidr: Cidr): bigint {
  return (1n << BigInt(bits(cidr.family) - cidr.prefix)) - 1n;
}

export function hasHostBits(cidr: Cidr): boolean {
  return (cidr.address & hostMask(cidr)) !== 0n;
}

export function isAnyAddress(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}

function formatAddress(family: 4 | 6, address: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((address >> shift) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero words.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && words[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The range with its host bits cleared: `10.0.1.7/24` → `10.0.1.0/24`. */
export function networkOf(cidr: Cidr): string {
  return `${formatAddress(cidr.family, cidr.address & ~hostMask(cidr))}/${cidr.prefix}`;
}

/** True when `a` and `b` share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const shift = BigInt(bits(a.family) - prefix);
  return a.address >> shift === b.address >> shift;
}
