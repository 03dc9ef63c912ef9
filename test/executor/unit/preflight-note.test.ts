// The preflight node's note lists a failing check as "to be fixed by the plan" only when the source
// bundle really changes what it is about; CDC checks on a plan that streams nothing are not needed;
// anything else is failing and left as it is, with the agent's detail.

import { describe, expect, it } from 'vitest';
import { preflightNote } from '../../../executor/handlers/agent.js';

const wal = { id: 'wal_level_logical', status: 'fail', detail: 'wal_level=replica; set wal_level=logical (restart)' };
const slots = { id: 'slot_headroom', status: 'fail', detail: '10 of 10 used; 1 needed' };
const privileges = { id: 'agent_privileges', status: 'fail', detail: 'cannot run pg_reload_conf()' };
const user = { id: 'migration_user', status: 'fail', detail: 'role dms_user does not exist' };

const CASES = [
  {
    name: 'a full-load plan whose bundle changes no setting: wal_level is not needed, not "to be fixed"',
    failed: [wal],
    bundle: { settings: {}, roles: [] },
    cdc: false,
    note: 'preflight checks failing that this plan does not need (no task streams changes): wal_level_logical',
  },
  {
    name: 'a CDC plan that sets wal_level and the slot budget',
    failed: [wal, slots],
    bundle: { settings: { wal_level: 'logical', max_replication_slots: 12 }, roles: [] },
    cdc: true,
    note: 'preflight checks to be fixed by the plan: wal_level_logical, slot_headroom',
  },
  {
    name: 'a CDC plan that leaves wal_level alone (overridden to replica): failing, with the detail',
    failed: [wal],
    bundle: { settings: { wal_level: 'replica' } },
    cdc: true,
    note: 'preflight checks failing that the plan does not change: wal_level_logical (wal_level=replica; set wal_level=logical (restart))',
  },
  {
    name: 'a missing migration user the plan creates; agent privileges it cannot change',
    failed: [user, privileges],
    bundle: { settings: {}, roles: [{ name: 'dms_user', create: true }] },
    cdc: false,
    note: 'preflight checks to be fixed by the plan: migration_user; preflight checks failing that the plan does not change: agent_privileges (cannot run pg_reload_conf())',
  },
  {
    name: 'no bundle artifact: nothing is claimed to be fixed',
    failed: [wal],
    bundle: null,
    cdc: true,
    note: 'preflight checks failing that the plan does not change: wal_level_logical (wal_level=replica; set wal_level=logical (restart))',
  },
  { name: 'nothing failing: no note', failed: [], bundle: { settings: {} }, cdc: true, note: undefined },
];

describe('preflight note', () => {
  for (const item of CASES) {
    it(item.name, () => {
      expect(preflightNote(item.failed, item.bundle, item.cdc)).toBe(item.note);
    });
  }
});
