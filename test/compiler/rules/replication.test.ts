import { describe, test } from 'vitest';
import { replicationBudgetRule } from '../../../compiler/rules/replication-budget.js';
import { walSettingsRule } from '../../../compiler/rules/wal-settings.js';
import {
  basePlan,
  cdcPlan,
  cdcTask,
  cdcWith,
  expectRow,
  pgVersion,
  planWith,
  type Row,
  withTasks,
} from './builders.js';

describe('slot and sender budget', () => {
  const threeCdc = withTasks(
    [
      cdcTask({ id: 'a' }),
      cdcTask({ id: 'b', tables: { include: ['b.%'], exclude: [] } }),
      cdcTask({ id: 'c', tables: { include: ['c.%'], exclude: [] } }),
    ],
    cdcWith({ source: { existing_replication: { slots: 1, wal_senders: 2 }, settings: { max_replication_slots: 2 } } }),
  );
  const rows: Row[] = [
    { name: 'no override passes', plan: cdcPlan, want: [] },
    {
      name: 'three CDC tasks and one existing slot need 4 slots, not 2',
      plan: threeCdc,
      want: ['PGF3010@/source/settings/max_replication_slots'],
      words: ['is 2', 'need 4'],
    },
    {
      name: 'senders below need',
      plan: cdcWith({
        source: { existing_replication: { slots: 0, wal_senders: 3 }, settings: { max_wal_senders: 3 } },
      }),
      want: ['PGF3011@/source/settings/max_wal_senders'],
      words: ['need 4'],
    },
    {
      name: 'exactly the need leaves no headroom',
      plan: cdcWith({ source: { settings: { max_replication_slots: 1, max_wal_senders: 10 } } }),
      want: ['PGF3012@/source/settings/max_replication_slots'],
      words: ['nothing is left'],
    },
    {
      name: 'a low override on a full-load-only plan is fine',
      plan: planWith({ source: { settings: { max_replication_slots: 0 } } }),
      want: [],
    },
    {
      name: 'a logical-replication full load holds a slot and two table-copy slots: 3, not 2',
      plan: planWith({ engine: 'logical', source: { settings: { max_replication_slots: 2 } } }),
      want: ['PGF3010@/source/settings/max_replication_slots'],
      words: ['is 2', 'need 3'],
    },
    {
      name: 'generous overrides pass',
      plan: cdcWith({ source: { settings: { max_replication_slots: 10, max_wal_senders: 10 } } }),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(replicationBudgetRule, row));
});

describe('wal settings', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'wal_level replica with CDC',
      plan: cdcWith({ source: { settings: { wal_level: 'replica' } } }),
      want: ['PGF3013@/source/settings/wal_level'],
      words: ['logical'],
    },
    {
      name: 'wal_level logical without CDC is an unneeded restart',
      plan: planWith({ source: { settings: { wal_level: 'logical' } } }),
      want: ['PGF3021@/source/settings/wal_level'],
      words: ['restart'],
    },
    {
      name: 'wal_level replica with the logical engine, even for a full load',
      plan: planWith({ engine: 'logical', source: { settings: { wal_level: 'replica' } } }),
      want: ['PGF3013@/source/settings/wal_level'],
    },
    {
      name: 'wal_level logical is needed by the logical engine',
      plan: planWith({ engine: 'logical', source: { settings: { wal_level: 'logical' } } }),
      want: [],
    },
    {
      name: 'wal_sender_timeout 5000 ms',
      plan: cdcWith({ source: { settings: { wal_sender_timeout: 5000 } } }),
      want: ['PGF3014@/source/settings/wal_sender_timeout'],
      words: ['5000', '10000'],
    },
    {
      name: 'wal_sender_timeout 0 passes',
      plan: cdcWith({ source: { settings: { wal_sender_timeout: 0 } } }),
      want: [],
    },
    {
      name: 'wal_sender_timeout 10 minutes',
      plan: cdcWith({ source: { settings: { wal_sender_timeout: 600000 } } }),
      want: ['PGF3015@/source/settings/wal_sender_timeout'],
    },
    {
      name: 'idle_in_transaction_session_timeout non-zero on 13',
      plan: cdcWith({ source: { settings: { idle_in_transaction_session_timeout: 60000 } } }),
      want: ['PGF3016@/source/settings/idle_in_transaction_session_timeout'],
      words: ['60000'],
    },
    {
      name: 'idle_in_transaction_session_timeout 0 on 13 passes',
      plan: cdcWith({ source: { settings: { idle_in_transaction_session_timeout: 0 } } }),
      want: [],
    },
    {
      name: 'idle_in_transaction_session_timeout does not exist on 9.5',
      plan: planWith({ source: { settings: { idle_in_transaction_session_timeout: 0 } } }),
      want: ['PGF3017@/source/settings/idle_in_transaction_session_timeout'],
      words: ['9.6'],
    },
    {
      name: 'idle_in_transaction_session_timeout exists on 9.6',
      plan: planWith({
        source: { version: pgVersion('9.6.24'), settings: { idle_in_transaction_session_timeout: 0 } },
        target: { version: pgVersion('9.6.24') },
      }),
      want: [],
    },
    {
      name: 'max_slot_wal_keep_size and logical_decoding_work_mem need 13',
      plan: planWith({ source: { settings: { max_slot_wal_keep_size: -1, logical_decoding_work_mem: 65536 } } }),
      want: ['PGF3017@/source/settings/logical_decoding_work_mem', 'PGF3017@/source/settings/max_slot_wal_keep_size'],
    },
    {
      name: 'a capped max_slot_wal_keep_size under CDC',
      plan: cdcWith({ source: { settings: { max_slot_wal_keep_size: 10240 } } }),
      want: ['PGF3018@/source/settings/max_slot_wal_keep_size'],
      words: ['10240'],
    },
    {
      name: 'pglogical plugin missing from the preload override is added (info)',
      plan: withTasks(
        [cdcTask({ plugin: 'pglogical' })],
        cdcWith({ source: { settings: { shared_preload_libraries: ['pg_stat_statements'] } } }),
      ),
      want: ['PGF3019@/dms/tasks/0/plugin'],
      words: ['pglogical'],
    },
    {
      name: 'pglogical plugin with pglogical preloaded passes',
      plan: withTasks(
        [cdcTask({ plugin: 'pglogical' })],
        cdcWith({ source: { settings: { shared_preload_libraries: ['pglogical'] } } }),
      ),
      want: [],
    },
    {
      name: 'logical_decoding_work_mem below 64 kB',
      plan: cdcWith({ source: { settings: { logical_decoding_work_mem: 32 } } }),
      want: ['PGF3020@/source/settings/logical_decoding_work_mem'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(walSettingsRule, row));
});
