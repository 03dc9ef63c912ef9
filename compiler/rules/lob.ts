// LOB handling and validation: what needs primary keys, and sizes DMS accepts (reference/dms.md §5, §6.3).

import { defineCode } from '../diagnostics/codes.js';
import type { Rule } from './rule.js';

export const LOB_NEEDS_KEYS = defineCode({
  code: 'PGF3320',
  name: 'lob-needs-keys',
  severity: 'info',
  title: 'Full LOB mode and validation need a primary key on every selected table',
  explanation:
    'DMS fetches LOBs in full LOB mode, and compares rows in validation, by primary key (validation can also use a ' +
    'unique index). Tables without one are skipped or fail. pgferry cannot see the tables without a catalog; run ' +
    '`pgferry validate --catalog <snapshot>` to check each selected table (rule PGF5011).',
});

export const LOB_SIZE = defineCode({
  code: 'PGF3321',
  name: 'lob-size',
  severity: 'error',
  title: 'The LOB size must be positive',
  explanation:
    'Limited LOB mode truncates every LOB above max_size_kb, and full LOB mode fetches in chunks of chunk_size_kb; ' +
    'both must be at least 1 KB. Size limited mode from the largest value (max(octet_length(col))), doubled for ' +
    'text types DMS treats as NCLOB.',
});

export const LOB_SIZE_LARGE = defineCode({
  code: 'PGF3322',
  name: 'lob-size-large',
  severity: 'warning',
  title: 'The LOB size is larger than DMS handles well',
  explanation:
    'AWS recommends LobMaxSize of at most 102400 KB in limited mode (larger values need huge stream buffers) and ' +
    'LobChunkSize of at most 64 KB in full LOB mode (larger chunks can fail the task). Use full LOB mode for the few ' +
    'tables with very large values, via table-settings, or lower the size.',
});

export const lobRule = {
  codes: [LOB_NEEDS_KEYS, LOB_SIZE, LOB_SIZE_LARGE],
  needsCatalog: false,
  check({ plan, catalog, report }) {
    plan.dms.tasks.forEach((task, index) => {
      const at = `/dms/tasks/${index}`;
      const lob = task.lob;
      if (lob.mode === 'limited') {
        if (!(lob.max_size_kb >= 1)) {
          report({
            code: LOB_SIZE.code,
            pointer: `${at}/lob/max_size_kb`,
            message: `limited LOB mode needs max_size_kb ≥ 1, not ${lob.max_size_kb}`,
          });
        } else if (lob.max_size_kb > 102400) {
          report({
            code: LOB_SIZE_LARGE.code,
            pointer: `${at}/lob/max_size_kb`,
            message: `max_size_kb is ${lob.max_size_kb}; AWS recommends at most 102400 in limited LOB mode`,
          });
        }
      } else if (lob.mode === 'full') {
        if (!(lob.chunk_size_kb >= 1)) {
          report({
            code: LOB_SIZE.code,
            pointer: `${at}/lob/chunk_size_kb`,
            message: `full LOB mode needs chunk_size_kb ≥ 1, not ${lob.chunk_size_kb}`,
          });
        } else if (lob.chunk_size_kb > 64) {
          report({
            code: LOB_SIZE_LARGE.code,
            pointer: `${at}/lob/chunk_size_kb`,
            message: `chunk_size_kb is ${lob.chunk_size_kb}; chunks above 64 KB can fail the task`,
          });
        }
      }
      // With a catalog the per-table rule reports the actual tables instead.
      if (catalog) return;
      const needs = [...(lob.mode === 'full' ? ['full LOB mode'] : []), ...(task.validation ? ['validation'] : [])];
      if (needs.length > 0) {
        report({
          code: LOB_NEEDS_KEYS.code,
          pointer: lob.mode === 'full' ? `${at}/lob/mode` : `${at}/validation`,
          message: `task "${task.id}" uses ${needs.join(' and ')}; every selected table needs a primary key`,
          hint: 'check with `pgferry validate --catalog <snapshot>`',
        });
      }
    });
  },
} satisfies Rule;
