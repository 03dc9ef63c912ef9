// How a setting change reads before consent: a value that goes down is called out, a timeout switched
// off (0) is not; the journal's `name from → to; …` form reads back to the same changes.

import { describe, expect, it } from 'vitest';
import {
  describeSettingChange,
  formatSettingChange,
  isDecrease,
  parseSettingChanges,
} from '../../../executor/setting-changes.js';

describe('setting changes', () => {
  it.each([
    ['max_replication_slots', '10', '4', true],
    ['max_wal_senders', '10', '11', false],
    ['max_wal_senders', '10', '10', false],
    ['wal_sender_timeout', '60000', '0', false],
    ['idle_in_transaction_session_timeout', '60000', '1000', true],
    ['wal_level', 'replica', 'logical', false],
    ['shared_preload_libraries', '', 'pglogical', false],
  ])('%s %s → %s lowers: %s', (name, from, to, lowers) => {
    expect(isDecrease({ name, from, to })).toBe(lowers);
    expect(describeSettingChange({ name, from, to }).includes('▼ LOWER')).toBe(lowers);
  });

  it('reads back what the journal records', () => {
    const changes = [
      { name: 'max_replication_slots', from: '10', to: '4' },
      { name: 'wal_level', from: 'replica', to: 'logical' },
    ];
    expect(parseSettingChanges(changes.map(formatSettingChange).join('; '))).toEqual(changes);
    expect(parseSettingChanges('')).toEqual([]);
  });
});
