// pg_hba rules pgferry writes for DMS and the logins it must keep working: valid ranges, no open
// internet, no trust, methods the source version has (reference/dms.md §1.3, agent.md §1.6, §2.3).

import { hasHostBits, isAnyAddress, networkOf, parseCidr } from '../../contracts/cidr.js';
import { majorName } from '../../contracts/pg-version.js';
import { defineCode } from '../diagnostics/codes.js';
import { dmsCompute } from '../knowledge/dms-compute.js';
import { HBA_DATABASE_KEYWORDS, HBA_METHODS_SINCE, PG_10, PG_14, PG_18 } from '../knowledge/pg-versions.js';
import type { Finding, Rule } from './rule.js';

export const HBA_CIDR_INVALID = defineCode({
  code: 'PGF3100',
  name: 'hba-cidr-invalid',
  severity: 'error',
  title: 'An address range is not a valid IPv4 or IPv6 CIDR',
  explanation:
    'pg_hba.conf accepts an address with a prefix length (10.0.1.0/24, fd00::/64). A malformed range makes ' +
    'PostgreSQL ignore the whole file on reload (it keeps the old one and logs an error), so the DMS rule never ' +
    'takes effect. Write the range as address/prefix.',
});

export const HBA_CIDR_HOST_BITS = defineCode({
  code: 'PGF3101',
  name: 'hba-cidr-host-bits',
  severity: 'warning',
  title: 'An address range has host bits set',
  explanation:
    'In 10.0.1.7/24 the bits after the prefix are not zero. PostgreSQL masks them and matches 10.0.1.0/24, which is ' +
    'probably not what was meant if a single host was intended (that would be /32). Write the network address ' +
    'pgferry suggests, or the host with /32 (/128 for IPv6).',
});

export const HBA_ANY_ADDRESS = defineCode({
  code: 'PGF3102',
  name: 'hba-any-address',
  severity: 'error',
  title: 'A pg_hba rule would accept connections from any address',
  explanation:
    '0.0.0.0/0 and ::/0 let any client that reaches the port try to log in as the migration user, a superuser for CDC. ' +
    'Use the replication instance subnet CIDRs. If the source really is isolated by security groups alone, set ' +
    'source.allow_any_address: true to opt in explicitly.',
});

export const HBA_AUTH_METHOD = defineCode({
  code: 'PGF3103',
  name: 'hba-auth-method',
  severity: 'error',
  title: 'The pg_hba method is not allowed for DMS connections',
  explanation:
    'pgferry writes DMS rules with md5 or scram-sha-256 only. trust lets anyone in without a password, password sends ' +
    'it in clear text, and the agent refuses both for host lines. Set source.auth_method to md5 or scram-sha-256.',
});

export const HBA_SCRAM_VERSION = defineCode({
  code: 'PGF3104',
  name: 'hba-scram-version',
  severity: 'error',
  title: 'scram-sha-256 needs PostgreSQL 10 or later',
  explanation:
    'SCRAM authentication arrived in PostgreSQL 10; on 9.x a pg_hba line with scram-sha-256 does not parse and the ' +
    'whole file is rejected on reload. Use md5 on 9.x sources.',
});

export const HBA_MD5_DEPRECATED = defineCode({
  code: 'PGF3105',
  name: 'hba-md5-deprecated',
  severity: 'info',
  title: 'md5 on a source that prefers SCRAM',
  explanation:
    'From PostgreSQL 14 password_encryption defaults to scram-sha-256, and PostgreSQL 18 deprecates MD5 passwords. ' +
    'An md5 pg_hba line still accepts a SCRAM-hashed password, but an MD5-hashed one keeps the weaker scheme alive. ' +
    'Prefer scram-sha-256 and check with TestConnection that DMS negotiates it.',
});

export const HBA_DATABASE_KEYWORD = defineCode({
  code: 'PGF3106',
  name: 'hba-database-keyword',
  severity: 'warning',
  title: 'A database name is also a pg_hba keyword',
  explanation:
    'In pg_hba.conf all, replication, sameuser, samerole and samegroup are keywords; a database with one of these ' +
    'names only matches when written in double quotes, and a mistake silently widens or breaks the rule. pgferry ' +
    'quotes it, but hand-written rules and tools that read the file often do not. Renaming is the safe fix.',
});

export const HBA_PROTECTED_LOGIN = defineCode({
  code: 'PGF3107',
  name: 'hba-protected-login',
  severity: 'error',
  title: 'A protected login is inconsistent',
  explanation:
    'A protected login is a pg_hba entry pgferry must keep working after it edits the file. local entries take no ' +
    'address; host and hostssl entries need one. Fix source.protected_logins.',
});

export const HBA_NO_DMS_RANGE = defineCode({
  code: 'PGF3108',
  name: 'hba-no-dms-range',
  severity: 'error',
  title: 'No address range for the DMS replication instance',
  explanation:
    "DMS connects from the replication instance's private addresses; pg_hba must allow them or every endpoint " +
    'connection test fails with "no pg_hba.conf entry". List the replication subnet CIDRs in ' +
    'dms.replication_instance.source_cidrs.',
});

export const HBA_MULTI_AZ_HOST = defineCode({
  code: 'PGF3109',
  name: 'hba-multi-az-host',
  severity: 'warning',
  title: 'A single-host range for a Multi-AZ replication instance',
  explanation:
    "A Multi-AZ replication instance gets a new private address after a failover. A /32 (or /128) rule for today's " +
    'address then rejects it and CDC stops. Use the CIDRs of the replication subnet group instead.',
});

export const HBA_REPLICATION_KEYWORD = defineCode({
  code: 'PGF3110',
  name: 'hba-replication-keyword',
  severity: 'info',
  title: 'The replication keyword matches physical replication only (PostgreSQL 10+)',
  explanation:
    'Before PostgreSQL 10 every walsender, logical ones included, matched pg_hba lines whose database column is ' +
    'replication. From 10 on, replication matches physical replication only (standbys, pg_basebackup), and a logical ' +
    'walsender such as DMS CDC matches the line naming its database (or all). pgferry writes the version-correct DMS ' +
    'rules itself; a protected login for the replication keyword keeps only physical connections working.',
});

function checkRange(text: string, pointer: string, allowAny: boolean): Finding[] {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    return [{ code: HBA_CIDR_INVALID.code, pointer, message: `address range "${text}" is invalid: ${parsed.reason}` }];
  }
  const findings: Finding[] = [];
  if (hasHostBits(parsed.cidr)) {
    findings.push({
      code: HBA_CIDR_HOST_BITS.code,
      pointer,
      message: `address range "${text}" has host bits set; PostgreSQL reads it as ${networkOf(parsed.cidr)}`,
      hint: `write "${networkOf(parsed.cidr)}", or a /${parsed.cidr.family === 4 ? 32 : 128} for a single host`,
    });
  }
  if (isAnyAddress(parsed.cidr) && !allowAny) {
    findings.push({
      code: HBA_ANY_ADDRESS.code,
      pointer,
      message: `address range "${text}" accepts connections from anywhere`,
      hint: 'use the replication subnet CIDRs, or set source.allow_any_address: true to opt in',
    });
  }
  return findings;
}

export const hbaRule = {
  codes: [
    HBA_CIDR_INVALID,
    HBA_CIDR_HOST_BITS,
    HBA_ANY_ADDRESS,
    HBA_AUTH_METHOD,
    HBA_SCRAM_VERSION,
    HBA_MD5_DEPRECATED,
    HBA_DATABASE_KEYWORD,
    HBA_PROTECTED_LOGIN,
    HBA_NO_DMS_RANGE,
    HBA_MULTI_AZ_HOST,
    HBA_REPLICATION_KEYWORD,
  ],
  needsCatalog: false,
  check({ plan, report }) {
    const { source } = plan;
    // Whichever form DMS runs in (replication instance or Serverless), its address ranges.
    const compute = dmsCompute(plan);
    const version = source.version.num;
    if (plan.engine === 'dms' && compute !== null && compute.source_cidrs.length === 0) {
      report({
        code: HBA_NO_DMS_RANGE.code,
        pointer: `${compute.pointer}/source_cidrs`,
        message: `no address range is given for the ${compute.what}, so pg_hba would reject DMS`,
        hint: 'list the replication subnet CIDRs',
      });
    }
    compute?.source_cidrs.forEach((text, index) => {
      const pointer = `${compute.pointer}/source_cidrs/${index}`;
      for (const finding of checkRange(text, pointer, source.allow_any_address)) report(finding);
      const parsed = parseCidr(text);
      if (compute.multi_az && parsed.ok && parsed.cidr.prefix === (parsed.cidr.family === 4 ? 32 : 128)) {
        report({
          code: HBA_MULTI_AZ_HOST.code,
          pointer,
          message: `"${text}" is a single address, but a Multi-AZ ${compute.form === 'serverless' ? 'Serverless replication' : 'replication instance'} changes address on failover`,
          hint: 'use the replication subnet CIDRs',
          notes: [{ message: 'Multi-AZ is enabled here', pointer: `${compute.pointer}/multi_az` }],
        });
      }
    });
    source.protected_logins.forEach((login, index) => {
      const pointer = `/source/protected_logins/${index}`;
      if (login.type === 'local' && login.address !== null) {
        report({
          code: HBA_PROTECTED_LOGIN.code,
          pointer: `${pointer}/address`,
          message: `protected login for "${login.user}" is local but names address "${login.address}"`,
          hint: 'remove the address, or make the type host/hostssl',
        });
      } else if (login.type !== 'local' && login.address === null) {
        report({
          code: HBA_PROTECTED_LOGIN.code,
          pointer,
          message: `protected ${login.type} login for "${login.user}" has no address`,
          hint: 'add the client address range it comes from',
        });
      }
      if (login.database === 'replication' && version >= PG_10) {
        report({
          code: HBA_REPLICATION_KEYWORD.code,
          pointer: `${pointer}/database`,
          message: `protected login for "${login.user}" uses the replication keyword, which on PostgreSQL ${source.version.major} covers physical replication only`,
        });
      }
      if (login.type !== 'local' && login.address !== null) {
        for (const finding of checkRange(login.address, `${pointer}/address`, source.allow_any_address))
          report(finding);
      }
    });
    const method: string = source.auth_method;
    const since = HBA_METHODS_SINCE[method];
    if (since === undefined) {
      report({
        code: HBA_AUTH_METHOD.code,
        pointer: '/source/auth_method',
        message: `auth method "${method}" is not allowed for DMS connections`,
        hint: 'use md5 or scram-sha-256',
      });
    } else if (version < since) {
      report({
        code: HBA_SCRAM_VERSION.code,
        pointer: '/source/auth_method',
        message: `auth method ${method} needs PostgreSQL ${majorName(since)} or later; the source runs ${source.version.text}`,
        hint: 'use md5',
      });
    } else if (method === 'md5' && version >= PG_14) {
      report({
        code: HBA_MD5_DEPRECATED.code,
        pointer: '/source/auth_method',
        severity: version >= PG_18 ? 'warning' : 'info',
        message: `auth method md5 on PostgreSQL ${source.version.major}, where password_encryption defaults to scram-sha-256`,
        hint: 'use scram-sha-256',
      });
    }
    source.databases.forEach((database, index) => {
      if (HBA_DATABASE_KEYWORDS.includes(database)) {
        report({
          code: HBA_DATABASE_KEYWORD.code,
          pointer: `/source/databases/${index}`,
          message: `database "${database}" has the name of a pg_hba keyword`,
          hint: 'rename the database, or check every pg_hba rule that mentions it is quoted',
        });
      }
    });
  },
} satisfies Rule;
