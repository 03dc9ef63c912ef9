// Patroni-managed sources: Patroni drops replication slots it does not know (patroni #2539), so the DMS
// slot has to be declared to it.

import { defineCode } from '../diagnostics/codes.js';
import { PG_11 } from '../knowledge/pg-versions.js';
import { isCdc } from '../model/task-kind.js';
import type { Rule } from './rule.js';

export const PATRONI_SLOTS = defineCode({
  code: 'PGF3720',
  name: 'patroni-slots',
  severity: 'info',
  title: 'Patroni must be told about the DMS slots',
  explanation:
    'Patroni removes replication slots it does not manage, for example after a switchover, which ends the DMS task. ' +
    'For CDC on a Patroni-managed source pgferry emits source/patroni.yaml.snippet with an ignore_slots entry (or a ' +
    'permanent slot for a named slot); apply it with patronictl edit-config before the task starts.',
});

export const PATRONI_PERMANENT_SLOT = defineCode({
  code: 'PGF3721',
  name: 'patroni-permanent-slot',
  severity: 'error',
  title: 'A named slot cannot be a Patroni permanent logical slot here',
  explanation:
    "A slot_name on a Patroni source becomes a permanent logical slot in Patroni's dynamic configuration, so it " +
    'survives failover. Patroni can only keep logical slots on PostgreSQL 11 and later; on older sources leave ' +
    'slot_name unset (DMS names it, pgferry adds it to ignore_slots) and accept that a failover ends CDC.',
});

export const PATRONI_REST_URL = defineCode({
  code: 'PGF3722',
  name: 'patroni-rest-url',
  severity: 'error',
  title: 'The Patroni REST URL is not an http(s) URL',
  explanation:
    "pgferry reads and patches Patroni's dynamic configuration through its REST API (GET/PATCH /config), e.g. " +
    'https://10.0.2.15:8008. Give the base URL of the leader or any member.',
});

export const patroniRule = {
  codes: [PATRONI_SLOTS, PATRONI_PERMANENT_SLOT, PATRONI_REST_URL],
  needsCatalog: false,
  check({ plan, report }) {
    const patroni = plan.source.patroni;
    if (!patroni) return;
    let url: URL | null = null;
    try {
      url = new URL(patroni.rest_url);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      report({
        code: PATRONI_REST_URL.code,
        pointer: '/source/patroni/rest_url',
        message: `"${patroni.rest_url}" is not an http(s) URL`,
        hint: 'e.g. https://10.0.2.15:8008',
      });
    }
    plan.dms.tasks.forEach((task, index) => {
      if (!isCdc(task)) return;
      if (task.slot_name !== null && plan.source.version.num < PG_11) {
        report({
          code: PATRONI_PERMANENT_SLOT.code,
          pointer: `/dms/tasks/${index}/slot_name`,
          message: `slot "${task.slot_name}" cannot be a Patroni permanent logical slot on PostgreSQL ${plan.source.version.major}; Patroni needs 11+`,
          hint: 'remove slot_name',
        });
      }
      report({
        code: PATRONI_SLOTS.code,
        pointer: `/dms/tasks/${index}`,
        message: `task "${task.id}" streams from a Patroni cluster; its slot goes into patroni.yaml.snippet (${task.slot_name === null ? 'ignore_slots' : 'permanent slots'})`,
      });
    });
  },
} satisfies Rule;
