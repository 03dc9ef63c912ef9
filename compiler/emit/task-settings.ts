// ReplicationTaskSettings: pgferry's defaults for a PostgreSQL → PostgreSQL task, then the plan's
// per-section overrides merged on top (rules have checked their keys and ranges). Every key the
// migration depends on is set explicitly, since console, examples and API defaults differ
// (reference/dms.md §5).

import type { Plan, Task } from '../model/plan.js';
import { isCdc } from '../model/task-kind.js';

type Section = Record<string, unknown>;

function lobSettings(task: Task): Section {
  switch (task.lob.mode) {
    case 'limited':
      return { SupportLobs: true, FullLobMode: false, LimitedSizeLobMode: true, LobMaxSize: task.lob.max_size_kb };
    case 'full':
      return { SupportLobs: true, FullLobMode: true, LimitedSizeLobMode: false, LobChunkSize: task.lob.chunk_size_kb };
    case 'none':
      return { SupportLobs: false, FullLobMode: false, LimitedSizeLobMode: false };
  }
}

export function defaultTaskSettings(plan: Plan, task: Task): Record<string, Section> {
  const validationLob = task.lob.mode === 'limited' ? task.lob.max_size_kb : 0;
  return {
    TargetMetadata: {
      TargetSchema: '',
      ...lobSettings(task),
      BatchApplyEnabled: false,
      TaskRecoveryTableEnabled: false,
    },
    FullLoadSettings: {
      TargetTablePrepMode: task.full_load.target_table_prep_mode,
      CreatePkAfterFullLoad: false,
      StopTaskCachedChangesApplied: false,
      StopTaskCachedChangesNotApplied: false,
      MaxFullLoadSubTasks: task.full_load.max_sub_tasks,
      TransactionConsistencyTimeout: task.full_load.transaction_consistency_timeout,
      CommitRate: task.full_load.commit_rate,
    },
    Logging: { EnableLogging: true },
    ValidationSettings: {
      EnableValidation: task.validation,
      ValidationMode: 'ROW_LEVEL',
      ThreadCount: 5,
      HandleCollationDiff: true,
      ValidationPartialLobSize: validationLob,
    },
    ErrorBehavior: {
      FailOnNoTablesCaptured: true,
      // Loud failure on source TRUNCATE during CDC; ineffective (and so left off) up to PostgreSQL 11.
      ApplyErrorFailOnTruncationDdl: isCdc(task) && plan.source.version.num >= 120000,
    },
    ChangeProcessingTuning: { MemoryLimitTotal: 1024, MemoryKeepTime: 60, StatementCacheSize: 50 },
  };
}

export function taskSettings(plan: Plan, task: Task): Record<string, Section> {
  const settings = defaultTaskSettings(plan, task);
  for (const [section, values] of Object.entries(task.settings)) {
    settings[section] = { ...(settings[section] ?? {}), ...values };
  }
  return settings;
}
