// The agent API's answers: one JSON Schema per route and status (routes.ts ties them to the routes).
// The agent declares them on its fastify routes, the executor's client validates what it receives
// against them, and test/agent/contract.test.ts checks every route's real answer, and the tests' fake
// agent's, against them. A field a PostgreSQL major lacks is null, never missing.

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const nullableBool = { type: ['boolean', 'null'] } as const;
const strings = { type: 'array', items: str } as const;
const sha256 = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;
const lsn = { type: 'string', pattern: '^[0-9A-F]+/[0-9A-F]+$' } as const;
const nullableLsn = { type: ['string', 'null'], pattern: '^[0-9A-F]+/[0-9A-F]+$' } as const;

/** Every error, whatever the route and status (docs/agent.md, API). */
export const errorEnvelope = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message', 'details', 'changed'],
      properties: {
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
        message: str,
        details: { type: 'array' },
        changed: bool,
        rolledBack: bool,
        requestId: str,
      },
    },
  },
} as const;

export const healthResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'agentVersion', 'uptimeS', 'lock'],
  properties: {
    status: { const: 'ok' },
    agentVersion: str,
    uptimeS: int,
    lock: {
      type: 'object',
      additionalProperties: false,
      required: ['held', 'holder'],
      properties: { held: bool, holder: nullableStr },
    },
  },
} as const;

export const readyResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['ready', 'db', 'pendingRestart'],
  properties: {
    ready: { const: true },
    db: {
      type: 'object',
      additionalProperties: false,
      required: ['reachable', 'serverVersionNum', 'inRecovery', 'postmasterStartTime'],
      properties: { reachable: { const: true }, serverVersionNum: int, inRecovery: bool, postmasterStartTime: str },
    },
    pendingRestart: bool,
  },
} as const;

const appliedRecord = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['bundleId', 'bundleHash', 'planHash', 'at', 'operationId', 'slots'],
  properties: { bundleId: str, bundleHash: sha256, planHash: sha256, at: str, operationId: str, slots: strings },
} as const;

const operationKind = { enum: ['apply', 'rollback', 'restart', 'fence', 'unfence'] } as const;
const journalPhase = {
  enum: [
    'begin',
    'backed_up',
    'written',
    'validated',
    'altered',
    'reloaded',
    'verified',
    'restarting',
    'restarted',
    'done',
    'aborted',
  ],
} as const;

export const statusResponse = {
  type: 'object',
  additionalProperties: false,
  required: [
    'agentVersion',
    'serverVersion',
    'serverVersionNum',
    'systemIdentifier',
    'role',
    'currentLsn',
    'postmasterStartTime',
    'dataDirectory',
    'configFile',
    'hbaFile',
    'pendingRestart',
    'pendingRestartReason',
    'applied',
    'lastOperation',
  ],
  properties: {
    agentVersion: str,
    serverVersion: str,
    serverVersionNum: int,
    systemIdentifier: nullableStr,
    role: { enum: ['primary', 'standby'] },
    currentLsn: nullableLsn,
    postmasterStartTime: str,
    dataDirectory: str,
    configFile: str,
    hbaFile: str,
    pendingRestart: bool,
    pendingRestartReason: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['running', 'file', 'fileSource'],
        properties: { running: str, file: nullableStr, fileSource: nullableStr },
      },
    },
    applied: appliedRecord,
    lastOperation: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['id', 'kind', 'phase', 'result', 'planHash', 'at'],
      properties: {
        id: str,
        kind: operationKind,
        phase: journalPhase,
        result: nullableStr,
        planHash: nullableStr,
        at: str,
      },
    },
  },
} as const;

export const settingsResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['settings'],
  properties: {
    settings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'name',
          'running',
          'unit',
          'vartype',
          'context',
          'source',
          'sourceFile',
          'sourceLine',
          'bootVal',
          'enumvals',
          'pendingRestart',
          'managedByAgent',
        ],
        properties: {
          name: str,
          running: str,
          unit: nullableStr,
          vartype: { enum: ['bool', 'integer', 'real', 'string', 'enum'] },
          context: str,
          source: str,
          sourceFile: nullableStr,
          sourceLine: nullableInt,
          bootVal: nullableStr,
          enumvals: { type: ['array', 'null'], items: str },
          pendingRestart: bool,
          managedByAgent: bool,
        },
      },
    },
  },
} as const;

const check = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', 'detail'],
  properties: { id: str, status: { enum: ['pass', 'warn', 'fail'] }, detail: str },
} as const;

export const preflightResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'serverVersionNum', 'systemIdentifier', 'checks'],
  properties: {
    ok: bool,
    serverVersionNum: int,
    systemIdentifier: nullableStr,
    checks: { type: 'array', items: check },
  },
} as const;

/**
 * The snapshot's top level; the format of its parts is contracts/catalog.ts (CatalogSnapshot), checked
 * by the catalog's own reader.
 */
export const catalogResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['formatVersion', 'capturedAt', 'serverVersionNum', 'cluster', 'host', 'lobSampling', 'databases'],
  properties: {
    formatVersion: { const: 2 },
    capturedAt: str,
    serverVersionNum: int,
    cluster: {},
    host: {},
    lobSampling: {},
    databases: { type: 'array' },
  },
} as const;

export const planResponse = {
  type: 'object',
  additionalProperties: false,
  required: [
    'planId',
    'planHash',
    'baseFingerprint',
    'bundleId',
    'bundleHash',
    'expiresAt',
    'noop',
    'changes',
    'requires',
    'restartPending',
    'checks',
    'warnings',
  ],
  properties: {
    planId: str,
    planHash: sha256,
    baseFingerprint: sha256,
    bundleId: str,
    bundleHash: sha256,
    expiresAt: str,
    noop: bool,
    changes: {
      type: 'object',
      additionalProperties: false,
      required: ['settings', 'hba'],
      properties: {
        settings: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'from', 'fileValue', 'to', 'unit', 'context', 'effect', 'sql'],
            properties: {
              name: str,
              from: str,
              fileValue: nullableStr,
              to: str,
              unit: nullableStr,
              context: str,
              effect: { enum: ['reload', 'restart'] },
              sql: str,
            },
          },
        },
        hba: {
          type: 'object',
          additionalProperties: false,
          required: ['file', 'changed', 'diff', 'added', 'removed', 'alreadySatisfied', 'shadowWarnings'],
          properties: {
            file: str,
            changed: bool,
            diff: str,
            added: int,
            removed: int,
            alreadySatisfied: strings,
            shadowWarnings: strings,
          },
        },
      },
    },
    requires: {
      type: 'object',
      additionalProperties: false,
      required: ['reload', 'restart'],
      properties: { reload: bool, restart: bool },
    },
    restartPending: strings,
    checks: { type: 'array', items: check },
    warnings: strings,
  },
} as const;

export const applyResponse = {
  type: 'object',
  additionalProperties: false,
  required: [
    'result',
    'changed',
    'operationId',
    'backupId',
    'reloaded',
    'restartRequired',
    'restarted',
    'pendingRestart',
    'planHash',
    'verify',
  ],
  properties: {
    result: { enum: ['applied', 'noop'] },
    changed: bool,
    operationId: str,
    backupId: nullableStr,
    reloaded: bool,
    restartRequired: bool,
    restarted: { const: false },
    pendingRestart: strings,
    planHash: sha256,
    verify: {
      type: 'object',
      additionalProperties: false,
      required: ['reconnect', 'reloadApplied', 'unexpectedPendingRestart'],
      properties: {
        reconnect: { enum: ['ok', 'skipped'] },
        reloadApplied: { type: 'object', additionalProperties: str },
        unexpectedPendingRestart: strings,
      },
    },
  },
} as const;

export const restartResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['result', 'changed', 'operationId', 'pendingRestart'],
  properties: {
    result: { enum: ['restarted', 'noop'] },
    changed: bool,
    operationId: str,
    previousPostmasterStartTime: str,
    postmasterStartTime: str,
    applied: strings,
    pendingRestart: strings,
    slotsBefore: int,
    slotsAfter: int,
  },
} as const;

export const operationResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['operationId', 'kind', 'phase', 'planHash', 'backupId', 'at', 'status'],
  properties: {
    operationId: str,
    kind: operationKind,
    phase: journalPhase,
    planHash: nullableStr,
    backupId: nullableStr,
    at: str,
    result: str,
    /** succeeded, running, or failed_<result> (failed_rolled_back, failed_needs_attention, …). */
    status: { type: 'string', pattern: '^(succeeded|running|failed_[a-z_]+)$' },
  },
} as const;

const backupManifest = {
  type: 'object',
  additionalProperties: false,
  required: ['backupId', 'createdAt', 'operationId', 'planHash', 'serverVersionNum', 'files', 'after'],
  properties: {
    backupId: str,
    seq: int,
    createdAt: str,
    operationId: str,
    kind: { enum: ['apply', 'rollback'] },
    appliedBefore: appliedRecord,
    planHash: nullableStr,
    serverVersionNum: int,
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['role', 'path', 'sha256', 'size', 'mode', 'uid', 'gid'],
        properties: {
          role: { enum: ['hba', 'autoConf'] },
          path: str,
          sha256: str,
          size: int,
          mode: int,
          uid: int,
          gid: int,
        },
      },
    },
    after: { type: ['object', 'null'], additionalProperties: str },
  },
} as const;

export const backupsResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['backups'],
  properties: { backups: { type: 'array', items: backupManifest } },
} as const;

export const rollbackResponse = {
  type: 'object',
  additionalProperties: false,
  required: [
    'result',
    'changed',
    'operationId',
    'backupId',
    'undid',
    'safetyBackupId',
    'restored',
    'applied',
    'pendingRestart',
    'restartRequired',
  ],
  properties: {
    result: { const: 'rolled_back' },
    changed: bool,
    operationId: str,
    backupId: str,
    undid: {
      type: 'object',
      additionalProperties: false,
      required: ['operationId', 'kind', 'planHash'],
      properties: { operationId: str, kind: { enum: ['apply', 'rollback'] }, planHash: nullableStr },
    },
    safetyBackupId: str,
    /** Whether every file reads back with its backed-up hash. */
    restored: bool,
    applied: appliedRecord,
    pendingRestart: strings,
    restartRequired: bool,
  },
} as const;

export const slotInfo = {
  type: 'object',
  additionalProperties: false,
  required: [
    'slotName',
    'slotType',
    'plugin',
    'database',
    'temporary',
    'active',
    'activePid',
    'restartLsn',
    'confirmedFlushLsn',
    'retainedWalBytes',
    'confirmedLagBytes',
    'walStatus',
    'safeWalSizeBytes',
    'twoPhase',
    'conflicting',
    'inactiveSince',
    'invalidationReason',
    'observedInactiveSince',
    'walsender',
  ],
  properties: {
    slotName: str,
    slotType: { enum: ['logical', 'physical'] },
    plugin: nullableStr,
    database: nullableStr,
    temporary: nullableBool,
    active: bool,
    activePid: nullableInt,
    restartLsn: nullableLsn,
    confirmedFlushLsn: nullableLsn,
    retainedWalBytes: nullableInt,
    confirmedLagBytes: nullableInt,
    walStatus: nullableStr,
    safeWalSizeBytes: nullableInt,
    twoPhase: nullableBool,
    conflicting: nullableBool,
    inactiveSince: nullableStr,
    invalidationReason: nullableStr,
    observedInactiveSince: nullableStr,
    walsender: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['state', 'clientAddr'],
      properties: { state: nullableStr, clientAddr: nullableStr },
    },
  },
} as const;

export const slotsResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['currentLsn', 'currentLsnBytes', 'serverVersionNum', 'capabilities', 'slots', 'takenAt'],
  properties: {
    currentLsn: nullableLsn,
    currentLsnBytes: nullableInt,
    serverVersionNum: int,
    capabilities: {
      type: 'object',
      additionalProperties: false,
      required: ['confirmedFlushLsn', 'walStatus', 'twoPhase', 'conflicting', 'inactiveSince'],
      properties: { confirmedFlushLsn: bool, walStatus: bool, twoPhase: bool, conflicting: bool, inactiveSince: bool },
    },
    slots: { type: 'array', items: slotInfo },
    takenAt: str,
    /** With `limit`/`offset` only: the whole list's length and where the next page starts (null: last page). */
    total: int,
    offset: int,
    nextOffset: nullableInt,
  },
} as const;

export const slotCreateResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['created', 'changed', 'slotName', 'lsn', 'plugin', 'database'],
  properties: { created: { const: true }, changed: bool, slotName: str, lsn, plugin: str, database: str },
} as const;

export const slotClaimResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['claimed', 'changed', 'slotName', 'database', 'owner', 'claimedAt'],
  properties: { claimed: { const: true }, changed: bool, slotName: str, database: str, owner: str, claimedAt: str },
} as const;

export const slotDropResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['dropped', 'changed', 'slotName', 'freedWalBytesEstimate', 'restartLsn', 'confirmedFlushLsn'],
  properties: {
    dropped: { const: true },
    changed: bool,
    slotName: str,
    freedWalBytesEstimate: nullableInt,
    restartLsn: nullableLsn,
    confirmedFlushLsn: nullableLsn,
  },
} as const;

export const roleResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'result', 'changed', 'passwordEncryption'],
  properties: {
    role: str,
    result: { enum: ['created', 'updated', 'unchanged'] },
    changed: bool,
    passwordEncryption: { enum: ['scram-sha-256', 'md5'] },
  },
} as const;

export const fenceResponse = {
  type: 'object',
  additionalProperties: false,
  required: [
    'fenced',
    'method',
    'plan',
    'roles',
    'databases',
    'changed',
    'terminatedSessions',
    'operationId',
    'logins',
    'entries',
  ],
  properties: {
    fenced: bool,
    method: { enum: ['hba_reject', 'read_only'] },
    plan: str,
    roles: strings,
    databases: strings,
    changed: bool,
    terminatedSessions: int,
    operationId: str,
    logins: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['role', 'database', 'refused'],
        properties: { role: str, database: str, refused: bool },
      },
    },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['plan', 'database', 'roles'],
        properties: { plan: str, database: str, roles: strings },
      },
    },
    /** Fence only: when the database was first fenced for the plan. */
    fencedAt: str,
    /** Unfence only. */
    unfencedAt: str,
  },
} as const;

export const markerResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['database', 'table', 'label', 'changed', 'id', 'writtenAt', 'lsn'],
  properties: { database: str, table: str, label: str, changed: { const: true }, id: str, writtenAt: str, lsn },
} as const;

export const auditResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['records'],
  properties: {
    records: {
      type: 'array',
      /** One JSON line of the audit log each: `ts`, `kind`, and what that kind of record carries. */
      items: { type: 'object' },
    },
  },
} as const;
