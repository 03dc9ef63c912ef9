import { describe, test } from 'vitest';
import { taskSettingsRule } from '../../../compiler/rules/task-settings.js';
import { basePlan, cdcPlan, cdcTask, expectRow, planWith, type Row, task, withTasks } from './builders.js';

const settings = (value: Record<string, Record<string, unknown>>, base = basePlan) =>
  withTasks([task({ settings: value })], base);

describe('task-settings overrides', () => {
  const rows: Row[] = [
    { name: 'no overrides pass', plan: basePlan, want: [] },
    {
      name: 'valid overrides pass',
      plan: settings({
        Logging: { EnableLogging: true, LogComponents: [] },
        ErrorBehavior: { DataErrorPolicy: 'STOP_TASK', RecoverableErrorCount: -1 },
        ControlTablesSettings: { ControlSchema: 'dms_control' },
      }),
      want: [],
    },
    {
      name: 'unknown section with suggestion',
      plan: settings({ ErrorBehaviour: { DataErrorPolicy: 'STOP_TASK' } }),
      want: ['PGF3400@/dms/tasks/0/settings/ErrorBehaviour'],
      words: ['did you mean "ErrorBehavior"'],
    },
    {
      name: 'unknown key with suggestion',
      plan: settings({ Logging: { EnableLoging: true } }),
      want: ['PGF3400@/dms/tasks/0/settings/Logging/EnableLoging'],
      words: ['did you mean "EnableLogging"'],
    },
    {
      name: 'key in the wrong section',
      plan: settings({ Logging: { StatementCacheSize: 50 } }),
      want: ['PGF3400@/dms/tasks/0/settings/Logging/StatementCacheSize'],
      words: ['belongs in ChangeProcessingTuning'],
    },
    {
      name: 'boolean written as a string',
      plan: settings({ Logging: { EnableLogging: 'true' } }),
      want: ['PGF3401@/dms/tasks/0/settings/Logging/EnableLogging'],
      words: ['boolean'],
    },
    {
      name: 'StatementCacheSize above 200 and CtrlStreamBufferSizeInMB 9',
      plan: settings({
        ChangeProcessingTuning: { StatementCacheSize: 500 },
        StreamBufferSettings: { CtrlStreamBufferSizeInMB: 9 },
      }),
      want: [
        'PGF3402@/dms/tasks/0/settings/ChangeProcessingTuning/StatementCacheSize',
        'PGF3402@/dms/tasks/0/settings/StreamBufferSettings/CtrlStreamBufferSizeInMB',
      ],
    },
    {
      name: 'enum value not allowed',
      plan: settings({ ErrorBehavior: { TableErrorEscalationPolicy: 'SUSPEND_TABLE' } }),
      want: ['PGF3402@/dms/tasks/0/settings/ErrorBehavior/TableErrorEscalationPolicy'],
      words: ['STOP_TASK'],
    },
    {
      name: 'CloudWatchLogGroup cannot be set on create',
      plan: settings({ Logging: { CloudWatchLogGroup: 'dms-tasks' } }),
      want: ['PGF3403@/dms/tasks/0/settings/Logging/CloudWatchLogGroup'],
      words: ['on create'],
    },
    {
      name: 'MaxFullLoadSubTasks is a plan field',
      plan: settings({ FullLoadSettings: { MaxFullLoadSubTasks: 16 } }),
      want: ['PGF3404@/dms/tasks/0/settings/FullLoadSettings/MaxFullLoadSubTasks'],
      words: ['full_load.max_sub_tasks'],
    },
    {
      name: 'ValidationOnly on a full-load-and-cdc task',
      plan: withTasks([cdcTask({ settings: { ValidationSettings: { ValidationOnly: true } } })], cdcPlan),
      want: ['PGF3405@/dms/tasks/0/settings/ValidationSettings/ValidationOnly'],
    },
    {
      name: 'BatchApplyEnabled with full LOB mode',
      plan: withTasks([
        cdcTask({
          lob: { mode: 'full', chunk_size_kb: 64 },
          settings: { TargetMetadata: { BatchApplyEnabled: true } },
        }),
      ]),
      want: ['PGF3405@/dms/tasks/0/settings/TargetMetadata/BatchApplyEnabled'],
    },
    {
      name: 'StopTaskCachedChangesApplied on a full-load task',
      plan: settings({ FullLoadSettings: { StopTaskCachedChangesApplied: true } }),
      want: ['PGF3405@/dms/tasks/0/settings/FullLoadSettings/StopTaskCachedChangesApplied'],
    },
    {
      name: 'resync needs engine 3.6.1 and a schedule',
      plan: withTasks([cdcTask({ settings: { ResyncSettings: { EnableResync: true } } })], cdcPlan),
      want: [
        'PGF3405@/dms/tasks/0/settings/ResyncSettings/EnableResync',
        'PGF3406@/dms/tasks/0/settings/ResyncSettings/EnableResync',
      ],
    },
    {
      name: 'resync on 3.6.1 with schedule passes',
      plan: withTasks(
        [
          cdcTask({
            settings: { ResyncSettings: { EnableResync: true, ResyncSchedule: '0 2 * * 6', MaxResyncTime: 60 } },
          }),
        ],
        planWith({ dms: { replication_instance: { engine_version: '3.6.1' } } }),
      ),
      want: [],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(taskSettingsRule, row));
});
