// The version-gated SQL as data: the text per band is pinned by golden files, the 9.5/9.6 forms use the
// xlog names and select NULL for columns those versions lack, and recorded 9.5/9.6 rows parse into the
// API shape with nulls (never missing fields).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentLsnSql, hbaErrorsSql, identitySql, pkglibdirSql, slotsSql, versionBand } from '../../agent/pg/sql.js';
import { capabilitiesOf, type SlotRow, toSlotInfo } from '../../agent/slots.js';
import { bundleMajor } from '../../contracts/bundle.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'agent');
const BANDS = [
  ['9.5', 90521],
  ['9.6', 90624],
  ['10-12', 120022],
  ['13-15', 150010],
  ['16', 160004],
  ['17+', 170002],
] as const;

describe.each(BANDS)('SQL for %s', (band, v) => {
  it('is chosen by server_version_num and matches its golden file', async () => {
    expect(versionBand(v)).toBe(band);
    const text = [
      `-- identity\n${identitySql(v)};`,
      `-- current LSN\n${currentLsnSql(v)};`,
      `-- hba validation\n${hbaErrorsSql(v) ?? '-- (none: the agent parses pg_hba.conf itself)'};`,
      `-- PKGLIBDIR\n${pkglibdirSql(v) ?? '-- (none: pg_config --pkglibdir)'};`,
      `-- slots\n${slotsSql(v)};`,
      '',
    ].join('\n\n');
    const file = join(fixtures, 'sql', `${band}.sql`);
    if (process.env.PGFERRY_UPDATE_GOLDEN === '1') {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
    expect(text).toBe(await readFile(file, 'utf8'));
  });
});

describe('version gates', () => {
  it('uses the xlog names before 10 and the wal names from 10', () => {
    expect(slotsSql(90521)).toContain('pg_xlog_location_diff');
    expect(slotsSql(90521)).not.toContain('pg_wal_lsn_diff');
    expect(slotsSql(100000)).toContain('pg_wal_lsn_diff');
    expect(currentLsnSql(90624)).toContain('pg_current_xlog_location');
  });

  it('selects columns only where they exist', () => {
    expect(slotsSql(90521)).not.toContain('s.confirmed_flush_lsn');
    expect(slotsSql(90624)).toContain('s.confirmed_flush_lsn');
    expect(slotsSql(120000)).not.toContain('s.wal_status');
    expect(slotsSql(130000)).toContain('s.wal_status');
    expect(slotsSql(160000)).not.toContain('s.inactive_since');
    expect(slotsSql(170000)).toContain('s.inactive_since');
    expect(hbaErrorsSql(90624)).toBeNull();
    expect(identitySql(90521)).not.toContain('pg_control_system');
  });

  it('spells majors the way bundles do', () => {
    expect([bundleMajor(90521), bundleMajor(120022), bundleMajor(170002)]).toEqual([9, 12, 17]);
  });
});

const SLOT_FIELDS = [
  'active',
  'activePid',
  'confirmedFlushLsn',
  'confirmedLagBytes',
  'conflicting',
  'database',
  'inactiveSince',
  'invalidationReason',
  'observedInactiveSince',
  'plugin',
  'restartLsn',
  'retainedWalBytes',
  'safeWalSizeBytes',
  'slotName',
  'slotType',
  'temporary',
  'twoPhase',
  'walStatus',
  'walsender',
];

describe.each(['9.5', '9.6'])('recorded %s slot rows', (version) => {
  it('parse into the API shape, with nulls for what the version lacks', async () => {
    const recorded = JSON.parse(await readFile(join(fixtures, `slots-${version}.json`), 'utf8')) as {
      serverVersionNum: number;
      rows: SlotRow[];
    };
    const infos = recorded.rows.map((row) => toSlotInfo(row, null));
    const caps = capabilitiesOf(recorded.serverVersionNum);
    expect(caps.walStatus).toBe(false);
    expect(caps.confirmedFlushLsn).toBe(version === '9.6');
    for (const info of infos) {
      expect(Object.keys(info).sort()).toEqual(SLOT_FIELDS);
      expect(info.walStatus).toBeNull();
      expect(info.inactiveSince).toBeNull();
    }
    const logical = infos.find((i) => i.slotType === 'logical')!;
    if (version === '9.5') {
      expect(logical).toMatchObject({
        retainedWalBytes: 326416416,
        confirmedLagBytes: null,
        confirmedFlushLsn: null,
        activePid: 4410,
      });
    } else {
      expect(logical).toMatchObject({
        retainedWalBytes: 368,
        confirmedLagBytes: 312,
        confirmedFlushLsn: '0/3000098',
        walsender: null,
      });
    }
  });
});
