// First-match simulation of pg_hba rules for a connection, used to prove that an hba change cannot lock
// out a protected login. Where a rule's match cannot be decided offline (group membership, host names,
// samenet) the answer is pessimistic: a reject rule is assumed to match, an accepting rule is not.

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { HbaRecord } from './parse.js';

export interface SimConnection {
  readonly type: 'local' | 'host' | 'hostssl';
  readonly database: string;
  readonly user: string;
  readonly address: string | null;
}

type Tri = 'yes' | 'no' | 'maybe';

function and(...values: Tri[]): Tri {
  if (values.includes('no')) return 'no';
  return values.includes('maybe') ? 'maybe' : 'yes';
}

function matchType(rule: HbaRecord, conn: SimConnection): Tri {
  if (conn.type === 'local') return rule.type === 'local' ? 'yes' : 'no';
  if (rule.type === 'host') return 'yes';
  if (rule.type === 'hostssl') return conn.type === 'hostssl' ? 'yes' : 'no';
  if (rule.type === 'hostnossl') return conn.type === 'host' ? 'yes' : 'no';
  // hostgssenc/hostnogssenc: the agent's protected logins never use GSS encryption.
  return rule.type === 'hostnogssenc' ? 'yes' : 'no';
}

function matchDatabase(items: readonly string[], conn: SimConnection): Tri {
  let result: Tri = 'no';
  for (const item of items) {
    if (item.startsWith('"')) {
      if (item.slice(1, -1) === conn.database) return 'yes';
    } else if (item === 'all') {
      if (conn.database !== 'replication') return 'yes';
    } else if (item === 'replication') {
      if (conn.database === 'replication') return 'yes';
    } else if (item === 'sameuser') {
      if (conn.database === conn.user) return 'yes';
    } else if (item === 'samerole' || item === 'samegroup' || item.startsWith('@') || item.startsWith('/')) {
      result = 'maybe';
    } else if (item === conn.database) return 'yes';
  }
  return result;
}

function matchUser(items: readonly string[], conn: SimConnection): Tri {
  let result: Tri = 'no';
  for (const item of items) {
    if (item.startsWith('"')) {
      if (item.slice(1, -1) === conn.user) return 'yes';
    } else if (item === 'all') return 'yes';
    else if (item.startsWith('+') || item.startsWith('@') || item.startsWith('/')) result = 'maybe';
    else if (item === conn.user) return 'yes';
  }
  return result;
}

function maskToPrefix(mask: string): number | null {
  if (isIPv4(mask)) {
    const bits = mask
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
    return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : null;
  }
  return null;
}

function matchAddress(rule: HbaRecord, conn: SimConnection): Tri {
  if (rule.type === 'local') return 'yes';
  const address = rule.address ?? '';
  if (address === 'all') return 'yes';
  if (conn.address === null) return 'maybe';
  const [net, len] = address.split('/');
  if (net === undefined || !(isIPv4(net) || isIPv6(net))) return 'maybe';
  const family = isIPv4(net) ? 'ipv4' : 'ipv6';
  const connFamily = isIPv4(conn.address) ? 'ipv4' : isIPv6(conn.address) ? 'ipv6' : null;
  if (connFamily === null) return 'maybe';
  if (connFamily !== family) return 'no';
  const prefix =
    len === undefined ? (family === 'ipv4' ? 32 : 128) : /^\d+$/.test(len) ? Number(len) : maskToPrefix(len);
  if (prefix === null) return 'maybe';
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return list.check(conn.address, family) ? 'yes' : 'no';
}

export interface SimResult {
  /** The first rule that (possibly) matches, or null when none does: the login would be refused. */
  readonly rule: HbaRecord | null;
  readonly certain: boolean;
}

export function firstMatch(records: readonly HbaRecord[], conn: SimConnection): SimResult {
  for (const rule of records) {
    const m = and(
      matchType(rule, conn),
      matchDatabase(rule.databases, conn),
      matchUser(rule.users, conn),
      matchAddress(rule, conn),
    );
    if (m === 'yes') return { rule, certain: true };
    if (m === 'maybe' && rule.method === 'reject') return { rule, certain: false };
  }
  return { rule: null, certain: true };
}

/** Whether `earlier` matches every connection `later` could match (so `later` never fires). */
export function covers(earlier: HbaRecord, later: HbaRecord): boolean {
  const typeOk =
    earlier.type === later.type || (earlier.type === 'host' && ['hostssl', 'hostnossl'].includes(later.type));
  if (!typeOk) return false;
  const listCovers = (a: readonly string[], b: readonly string[]) =>
    a.includes('all') || b.every((item) => a.includes(item));
  if (!listCovers(earlier.databases, later.databases) || !listCovers(earlier.users, later.users)) return false;
  if (later.type === 'local') return true;
  if (earlier.address === 'all') return true;
  if (!earlier.address || !later.address) return false;
  const [lnet, llen] = later.address.split('/');
  if (!lnet || !(isIPv4(lnet) || isIPv6(lnet))) return false;
  const [enet, elen] = earlier.address.split('/');
  if (!enet || !(isIPv4(enet) || isIPv6(enet))) return false;
  const family = isIPv4(enet) ? 'ipv4' : 'ipv6';
  if ((isIPv4(lnet) ? 'ipv4' : 'ipv6') !== family) return false;
  const ePrefix = elen === undefined ? (family === 'ipv4' ? 32 : 128) : Number(elen);
  const lPrefix = llen === undefined ? (family === 'ipv4' ? 32 : 128) : Number(llen);
  if (!Number.isInteger(ePrefix) || !Number.isInteger(lPrefix) || ePrefix > lPrefix) return false;
  const list = new BlockList();
  list.addSubnet(enet, ePrefix, family);
  return list.check(lnet, family);
}
