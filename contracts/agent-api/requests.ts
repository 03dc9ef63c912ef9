// The agent API's requests: JSON Schemas of bodies, path parameters and query strings (the agent's
// routes validate with them, the executor's client and the tests' fake agent build requests from the
// types derived from them). Every object is closed (additionalProperties: false) and the agent's ajv
// neither strips unknown fields nor coerces types, so `"setings"` is a 400, not a silent no-op. Query
// string values arrive as strings: numbers are digit patterns, converted by the route.

import { CAPACITY_SETTINGS } from '../bundle.js';

export const secretRef = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['ssm'],
      properties: { ssm: { type: 'string', minLength: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['env'],
      properties: { env: { type: 'string', minLength: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['secretsManager'],
      properties: { secretsManager: { type: 'string', minLength: 1 } },
    },
  ],
} as const;

export const identifier = { type: 'string', minLength: 1, maxLength: 63, pattern: '^[^\\u0000-\\u001f"]+$' } as const;
export const slotName = { type: 'string', minLength: 1, maxLength: 63 } as const;

const hbaRule = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'database', 'user', 'address', 'method', 'comment'],
  properties: {
    type: { enum: ['local', 'host', 'hostssl', 'hostnossl'] },
    database: { type: 'array', minItems: 1, items: identifier },
    user: { type: 'array', minItems: 1, items: identifier },
    address: { type: ['string', 'null'], maxLength: 64 },
    method: { enum: ['md5', 'scram-sha-256', 'reject', 'peer', 'password', 'cert'] },
    comment: { type: 'string', maxLength: 200 },
  },
} as const;

const protectedConnection = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'database', 'user', 'address'],
  properties: {
    type: { enum: ['local', 'host', 'hostssl'] },
    database: identifier,
    user: identifier,
    address: { type: ['string', 'null'], maxLength: 64 },
    expectMethod: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const bundleSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion',
    'bundleId',
    'target',
    'settings',
    'restartSettings',
    'settingsMethod',
    'hba',
    'roles',
    'slots',
    'fence',
    'restartPolicy',
    'patroni',
    'hash',
  ],
  properties: {
    schemaVersion: { const: 1 },
    bundleId: { type: 'string', minLength: 1, maxLength: 200 },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['pgMajor', 'serverVersionNum', 'systemIdentifier'],
      properties: {
        pgMajor: { type: 'integer', minimum: 9, maximum: 99 },
        serverVersionNum: { type: 'integer', minimum: 90000 },
        systemIdentifier: { type: ['string', 'null'], pattern: '^[0-9]+$' },
      },
    },
    settings: {
      type: 'object',
      maxProperties: 64,
      additionalProperties: {
        anyOf: [
          { type: 'string', maxLength: 1024 },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 128 } },
        ],
      },
    },
    restartSettings: { type: 'array', items: { type: 'string' } },
    settingsMethod: { enum: ['alter_system', 'include_file'] },
    hba: {
      type: 'object',
      additionalProperties: false,
      required: ['mode', 'block', 'anchor', 'rules', 'protect'],
      properties: {
        mode: { const: 'managed_block' },
        block: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$' },
        anchor: { enum: ['first_non_local_rule', 'top', 'bottom'] },
        rules: { type: 'array', maxItems: 200, items: hbaRule },
        protect: { type: 'array', maxItems: 50, items: protectedConnection },
      },
    },
    roles: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'login', 'superuser', 'replication', 'password', 'settings', 'create'],
        properties: {
          name: identifier,
          login: { type: 'boolean' },
          superuser: { type: 'boolean' },
          replication: { type: 'boolean' },
          password: secretRef,
          settings: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 } },
          create: { type: 'boolean' },
        },
      },
    },
    slots: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'plugin', 'database', 'task'],
        properties: {
          name: slotName,
          plugin: { enum: ['test_decoding', 'pglogical'] },
          database: identifier,
          task: { type: 'string' },
        },
      },
    },
    fence: {
      type: 'object',
      additionalProperties: false,
      required: ['method', 'roles', 'databases'],
      properties: {
        method: { enum: ['hba_reject', 'read_only'] },
        roles: { type: 'array', items: identifier },
        databases: { type: 'array', items: identifier },
      },
    },
    restartPolicy: { const: 'require_consent' },
    capacity: {
      type: 'object',
      additionalProperties: false,
      required: ['floors', 'mayLower'],
      properties: {
        floors: { type: 'array', uniqueItems: true, items: { enum: [...CAPACITY_SETTINGS] } },
        mayLower: { type: 'array', uniqueItems: true, items: { enum: [...CAPACITY_SETTINGS] } },
      },
    },
    patroni: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['restUrl', 'scope', 'ignoreSlots'],
          properties: {
            restUrl: { type: 'string' },
            scope: { type: 'string' },
            ignoreSlots: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'type', 'database', 'plugin'],
                properties: {
                  name: { type: 'string' },
                  type: { const: 'logical' },
                  database: { type: 'string' },
                  plugin: { type: 'string' },
                },
              },
            },
          },
        },
      ],
    },
    hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
  },
} as const;

export const planRequestSchema = bundleSchema;

export const applyRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['planHash'],
  properties: {
    planHash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    baseFingerprint: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const restartRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['confirm'],
  properties: {
    confirm: { type: 'boolean' },
    reason: { type: 'string', maxLength: 500 },
    onlyIfPendingRestart: { type: 'boolean' },
    acknowledgeReplicationInterruption: { type: 'boolean' },
    expectedPostmasterStartTime: { type: 'string', maxLength: 64 },
  },
} as const;

export const rollbackRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    backupId: { type: 'string', maxLength: 64 },
    force: { type: 'boolean' },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const slotDropRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    confirmSlotName: { type: 'string', maxLength: 128 },
    force: { type: 'boolean' },
    terminateActive: { type: 'boolean' },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const slotClaimRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['database', 'owner'],
  properties: {
    database: identifier,
    owner: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const slotCreateRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'database'],
  properties: {
    name: slotName,
    database: identifier,
    plugin: { enum: ['test_decoding', 'pglogical', 'pgoutput'] },
  },
} as const;

export const roleEnsureRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'password'],
  properties: {
    name: identifier,
    login: { type: 'boolean' },
    superuser: { type: 'boolean' },
    replication: { type: 'boolean' },
    password: secretRef,
    settings: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 } },
    grantConnect: { type: 'array', items: identifier },
  },
} as const;

export const fenceRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'roles'],
  properties: {
    method: { enum: ['hba_reject', 'read_only'] },
    roles: { type: 'array', minItems: 1, maxItems: 50, items: identifier },
    databases: { type: 'array', maxItems: 50, items: identifier },
    terminate: { type: 'boolean' },
    plan: identifier,
  },
} as const;

export const markerRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['database'],
  properties: {
    database: identifier,
    schema: identifier,
    label: { type: 'string', maxLength: 200 },
  },
} as const;

export const preflightRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    databases: { type: 'array', maxItems: 50, items: identifier },
    schemas: { type: 'array', maxItems: 200, items: identifier },
    migrationUser: identifier,
    slotsNeeded: { type: 'integer', minimum: 0, maximum: 1000 },
  },
} as const;

// ---- path parameters ----

export const planIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['planId'],
  properties: { planId: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const operationIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

/** The slot name rule itself (assertSlotName) answers with its own message; the schema only types it. */
export const slotNameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

// ---- query strings ----

const commaList = { type: 'string', maxLength: 4096 } as const;
const positiveDigits = { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } as const;

export const settingsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { names: commaList },
} as const;

export const catalogQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    databases: commaList,
    schemas: commaList,
    /** `off` skips measuring LOB columns; `lobRows`, `lobTables` bound the measurement. */
    lob: { enum: ['on', 'off'] },
    lobRows: positiveDigits,
    lobTables: positiveDigits,
    maxTables: positiveDigits,
  },
} as const;

export const slotsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
  },
} as const;

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,9}$' } },
} as const;
