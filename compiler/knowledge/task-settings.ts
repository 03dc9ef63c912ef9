// The ReplicationTaskSettings keys pgferry understands, with their types and ranges (reference/dms.md §5).
// Plan overrides (`dms.tasks[].settings`) are checked against this catalogue; a key missing here is
// reported as unknown with a suggestion, never passed through silently.

export type SettingType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'string'; readonly nullable?: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array' }
  | { readonly kind: 'object' };

export interface SettingKey {
  readonly type: SettingType;
  /** AWS rejects the key in CreateReplicationTask (it is read-only or output-only). */
  readonly notOnCreate?: string;
  /** pgferry computes the key from a plan field; overriding it would contradict that field. */
  readonly managedBy?: string;
  /** Oldest engine version that understands the key. */
  readonly sinceEngine?: string;
}

const bool: SettingKey = { type: { kind: 'boolean' } };
const int = (min?: number, max?: number): SettingKey => ({
  type: { kind: 'integer', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) },
});
const str: SettingKey = { type: { kind: 'string', nullable: true } };
const oneOf = (...values: string[]): SettingKey => ({ type: { kind: 'enum', values } });
const managed = (key: SettingKey, field: string): SettingKey => ({ ...key, managedBy: field });

const recordPolicies = ['IGNORE_RECORD', 'LOG_ERROR', 'SUSPEND_TABLE', 'STOP_TASK'];
const cwNotOnCreate =
  'AWS rejects it on create ("Task Settings CloudWatchLogGroup or CloudWatchLogStream cannot be set on create")';

export const TASK_SETTINGS: Readonly<Record<string, Readonly<Record<string, SettingKey>>>> = {
  TargetMetadata: {
    TargetSchema: str,
    SupportLobs: managed(bool, 'lob.mode'),
    FullLobMode: managed(bool, 'lob.mode'),
    LobChunkSize: managed(int(1), 'lob.chunk_size_kb'),
    LimitedSizeLobMode: managed(bool, 'lob.mode'),
    LobMaxSize: managed(int(0), 'lob.max_size_kb'),
    InlineLobMaxSize: int(0, 102400),
    LoadMaxFileSize: int(0, 100000),
    BatchApplyEnabled: bool,
    TaskRecoveryTableEnabled: bool,
    ParallelLoadThreads: int(0, 32),
    ParallelLoadBufferSize: int(0, 1000),
    ParallelLoadQueuesPerThread: int(1, 512),
    ParallelApplyThreads: int(0, 32),
    ParallelApplyBufferSize: int(0, 1000),
    ParallelApplyQueuesPerThread: int(1, 512),
  },
  FullLoadSettings: {
    TargetTablePrepMode: managed(
      oneOf('DO_NOTHING', 'DROP_AND_CREATE', 'TRUNCATE_BEFORE_LOAD'),
      'full_load.target_table_prep_mode',
    ),
    CreatePkAfterFullLoad: bool,
    StopTaskCachedChangesApplied: bool,
    StopTaskCachedChangesNotApplied: bool,
    MaxFullLoadSubTasks: managed(int(1, 49), 'full_load.max_sub_tasks'),
    TransactionConsistencyTimeout: managed(int(0), 'full_load.transaction_consistency_timeout'),
    CommitRate: managed(int(1, 50000), 'full_load.commit_rate'),
  },
  Logging: {
    EnableLogging: bool,
    EnableLogContext: bool,
    LogComponents: { type: { kind: 'array' } },
    CloudWatchLogGroup: { ...str, notOnCreate: cwNotOnCreate },
    CloudWatchLogStream: { ...str, notOnCreate: cwNotOnCreate },
    DeleteTaskLogs: bool,
    LogConfiguration: { type: { kind: 'object' } },
  },
  ControlTablesSettings: {
    ControlSchema: str,
    HistoryTimeslotInMinutes: int(1),
    HistoryTableEnabled: bool,
    SuspendedTablesTableEnabled: bool,
    StatusTableEnabled: bool,
    CommitPositionTableEnabled: bool,
    FullLoadExceptionTableEnabled: bool,
  },
  StreamBufferSettings: {
    StreamBufferCount: int(2),
    StreamBufferSizeInMB: int(1),
    CtrlStreamBufferSizeInMB: int(1, 8),
  },
  ChangeProcessingTuning: {
    BatchApplyPreserveTransaction: bool,
    BatchApplyTimeoutMin: int(0),
    BatchApplyTimeoutMax: int(1),
    BatchApplyMemoryLimit: int(1),
    BatchSplitSize: int(0),
    MinTransactionSize: int(1),
    CommitTimeout: int(1),
    MemoryLimitTotal: int(1),
    MemoryKeepTime: int(1),
    StatementCacheSize: int(0, 200),
    RecoveryTimeout: int(-1),
  },
  ChangeProcessingDdlHandlingPolicy: {
    HandleSourceTableDropped: bool,
    HandleSourceTableTruncated: bool,
    HandleSourceTableAltered: bool,
  },
  ErrorBehavior: {
    DataErrorPolicy: oneOf(...recordPolicies),
    DataTruncationErrorPolicy: oneOf(...recordPolicies),
    DataErrorEscalationPolicy: oneOf('SUSPEND_TABLE', 'STOP_TASK'),
    DataErrorEscalationCount: int(0),
    EventErrorPolicy: oneOf('IGNORE', 'STOP_TASK'),
    TableErrorPolicy: oneOf('SUSPEND_TABLE', 'STOP_TASK'),
    TableErrorEscalationPolicy: oneOf('STOP_TASK'),
    TableErrorEscalationCount: int(0),
    RecoverableErrorCount: int(-1),
    RecoverableErrorInterval: int(1),
    RecoverableErrorThrottling: bool,
    RecoverableErrorThrottlingMax: int(1),
    RecoverableErrorStopRetryAfterThrottlingMax: bool,
    ApplyErrorDeletePolicy: oneOf(...recordPolicies),
    ApplyErrorInsertPolicy: oneOf(...recordPolicies, 'INSERT_RECORD'),
    ApplyErrorUpdatePolicy: oneOf(...recordPolicies, 'UPDATE_RECORD'),
    ApplyErrorEscalationPolicy: oneOf('LOG_ERROR', 'SUSPEND_TABLE', 'STOP_TASK'),
    ApplyErrorEscalationCount: int(0),
    ApplyErrorFailOnTruncationDdl: bool,
    FailOnNoTablesCaptured: bool,
    FailOnTransactionConsistencyBreached: bool,
    FullLoadIgnoreConflicts: bool,
    DataMaskingErrorPolicy: {
      ...oneOf('STOP_TASK', 'IGNORE_RECORD', 'LOG_ERROR', 'SUSPEND_TABLE'),
      sinceEngine: '3.5.4',
    },
  },
  ValidationSettings: {
    EnableValidation: managed(bool, 'validation'),
    ValidationMode: oneOf('ROW_LEVEL'),
    ThreadCount: int(1),
    PartitionSize: int(1),
    FailureMaxCount: int(0),
    TableFailureMaxCount: int(0),
    RecordFailureDelayInMinutes: int(0),
    RecordSuspendDelayInMinutes: int(0),
    RecordFailureDelayLimitInMinutes: int(0),
    MaxKeyColumnSize: int(1),
    ValidationOnly: bool,
    HandleCollationDiff: bool,
    SkipLobColumns: bool,
    ValidationPartialLobSize: int(0),
    ValidationQueryCdcDelaySeconds: int(0),
  },
  ResyncSettings: {
    EnableResync: { ...bool, sinceEngine: '3.6.1' },
    ResyncSchedule: { ...str, sinceEngine: '3.6.1' },
    MaxResyncTime: { ...int(5, 14400), sinceEngine: '3.6.1' },
    ValidationTaskId: { ...str, sinceEngine: '3.6.1' },
  },
  LoopbackPreventionSettings: {
    EnableLoopbackPrevention: bool,
    SourceSchema: str,
    TargetSchema: str,
  },
  CharacterSetSettings: {
    CharacterReplacements: { type: { kind: 'array' } },
    CharacterSetSupport: { type: { kind: 'object' } },
  },
  BeforeImageSettings: {
    EnableBeforeImage: bool,
    FieldName: str,
    ColumnFilter: oneOf('pk-only', 'all'),
  },
};

/** Sections whose keys matter only when the task streams changes (cdc or full-load-and-cdc). */
export const CDC_ONLY_SECTIONS: readonly string[] = ['ChangeProcessingTuning', 'ChangeProcessingDdlHandlingPolicy'];

/** Keys that only mean something while a full load hands over to CDC. */
export const FULL_LOAD_AND_CDC_ONLY_KEYS: readonly string[] = [
  'FullLoadSettings.StopTaskCachedChangesApplied',
  'FullLoadSettings.StopTaskCachedChangesNotApplied',
];
