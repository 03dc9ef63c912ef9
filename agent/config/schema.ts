// JSON Schema of the agent's YAML config. Strict: unknown keys are errors, never ignored.

const secretSource = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    file: { type: 'string', minLength: 1 },
    env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    ssm: { type: 'string', pattern: '^/' },
  },
} as const;

export const SCOPES = ['read', 'metrics', 'plan', 'apply', 'restart', 'rollback', 'slot:drop'] as const;

export const agentConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tokens', 'postgres', 'stateDir'],
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert', 'key'],
      properties: {
        cert: { type: 'string', minLength: 1 },
        key: { type: 'string', minLength: 1 },
        clientCa: { type: 'string', minLength: 1 },
      },
    },
    allowRoot: { type: 'boolean' },
    allowPlainHttpOnNonLoopback: { type: 'boolean' },
    aws: {
      type: 'object',
      additionalProperties: false,
      properties: { region: { type: 'string' }, endpoint: { type: 'string' } },
    },
    tokens: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'scopes', 'secret'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: SCOPES } },
          secret: secretSource,
        },
      },
    },
    postgres: {
      type: 'object',
      additionalProperties: false,
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1, description: 'socket directory (starts with /) or TCP host' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        user: { type: 'string', minLength: 1 },
        database: { type: 'string', minLength: 1 },
        password: secretSource,
        connectTimeoutMs: { type: 'integer', minimum: 100 },
      },
    },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hbaFile: { type: 'string', pattern: '^/' },
        dataDirectory: { type: 'string', pattern: '^/' },
        serverLog: { type: 'string', pattern: '^/' },
      },
    },
    restart: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: {
        allowed: { type: 'boolean' },
        command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
      },
    },
    stateDir: { type: 'string', pattern: '^/' },
    slots: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dropPrefixes: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9_]+$' } },
      },
    },
    settingsAllowList: { type: 'array', items: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' } },
    hbaPolicy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowMd5: { type: 'boolean' },
        allowAnyAddress: { type: 'boolean' },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyBytes: { type: 'integer', minimum: 1024 },
        planTtlSeconds: { type: 'integer', minimum: 1 },
        mutationsPerMinute: { type: 'integer', minimum: 1 },
      },
    },
    cache: {
      type: 'object',
      additionalProperties: false,
      properties: { slotsMs: { type: 'integer', minimum: 0 } },
    },
  },
} as const;
