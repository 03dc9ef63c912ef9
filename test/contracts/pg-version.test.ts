// PostgreSQL versions as numbers and names: the one parser the compiler, init and messages share.
import { describe, expect, it } from 'vitest';
import { majorName, majorNum, versionName, versionNumOf } from '../../contracts/pg-version.js';

describe('PostgreSQL versions', () => {
  it.each([
    ['9.4.26', 90426, 90400, '9.4', '9.4.26'],
    ['9.6.24', 90624, 90600, '9.6', '9.6.24'],
    ['10.23', 100023, 100000, '10', '10.23'],
    ['16.4', 160004, 160000, '16', '16.4'],
    ['18.4 (Debian 18.4-1.pgdg120+1)', 180004, 180000, '18', '18.4'],
    ['17', 170000, 170000, '17', '17.0'],
  ])('%s → %i', (text, num, major, name, full) => {
    expect(versionNumOf(text)).toBe(num);
    expect(majorNum(num)).toBe(major);
    expect(majorName(num)).toBe(name);
    expect(versionName(num)).toBe(full);
  });

  it.each(['', 'sixteen', 'v16'])('%j is not a version', (text) => {
    expect(versionNumOf(text)).toBeNull();
  });

  it('majors compare as numbers across the 10 boundary', () => {
    expect(majorNum(90624) < majorNum(100001)).toBe(true);
    expect(majorNum(160004)).toBe(majorNum(160011));
    expect(majorNum(90500)).not.toBe(majorNum(90600));
  });
});
