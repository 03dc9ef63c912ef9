// Every refusal the agent gives is an AgentError with a stable code; the server turns it into the one
// error envelope `{ error: { code, message, details, changed } }`. Codes are never reused.

export const ERROR_STATUS = {
  SCHEMA_INVALID: 400,
  BAD_REQUEST: 400,
  INVALID_SLOT_NAME: 400,
  UNAUTHORIZED: 401,
  SCOPE_MISSING: 403,
  SLOT_NOT_ALLOWED: 403,
  RESTART_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  PLAN_NOT_FOUND: 404,
  SLOT_NOT_FOUND: 404,
  BACKUP_NOT_FOUND: 404,
  LOCKED: 409,
  DRIFT: 409,
  PLAN_HASH_MISMATCH: 409,
  SLOT_ACTIVE: 409,
  SLOT_EXISTS: 409,
  ROLLBACK_DRIFT: 409,
  PLAN_EXPIRED: 410,
  PRECONDITION_FAILED: 412,
  BODY_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WRONG_TARGET: 422,
  BUNDLE_HASH_MISMATCH: 422,
  UNKNOWN_SETTING: 422,
  SETTING_NOT_IN_VERSION: 422,
  SETTING_NOT_ALLOWED: 422,
  NOT_SETTABLE: 422,
  INVALID_VALUE: 422,
  INVALID_CHARACTERS: 422,
  LIBRARY_NOT_FOUND: 422,
  SLOT_LIMIT_BELOW_USAGE: 422,
  WAL_LEVEL_CONFLICT_LOGICAL_SLOTS: 422,
  HBA_VALIDATION_FAILED: 422,
  HBA_FEATURE_UNSUPPORTED: 422,
  HBA_POLICY: 422,
  LOCKOUT_RISK: 422,
  RULE_SHADOWED: 422,
  HBA_KEYWORD_VERSION_MISMATCH: 422,
  STANDBY_SENSITIVE_PARAM: 422,
  OVERRIDDEN: 422,
  SETTINGS_VALIDATION_FAILED: 422,
  SECRET_UNAVAILABLE: 422,
  CAPACITY_LOWERED: 422,
  UNKNOWN_ROLE: 422,
  CONFIRMATION_REQUIRED: 428,
  ACK_REQUIRED: 428,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  LOCKOUT_PREVENTED: 500,
  VERIFY_FAILED: 500,
  RESTART_FAILED_ROLLED_BACK: 500,
  NEEDS_ATTENTION: 500,
  DB_UNAVAILABLE: 503,
  INSUFFICIENT_STORAGE: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details: readonly unknown[];
    readonly changed: boolean;
    readonly rolledBack?: boolean;
    readonly requestId?: string;
  };
}

export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly unknown[];
  /** Whether anything on the host was modified (and left modified) before the refusal. */
  readonly changed: boolean;
  readonly rolledBack: boolean | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: readonly unknown[]; changed?: boolean; rolledBack?: boolean } = {},
  ) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
    this.details = options.details ?? [];
    this.changed = options.changed ?? false;
    this.rolledBack = options.rolledBack;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        details: this.details,
        changed: this.changed,
        ...(this.rolledBack === undefined ? {} : { rolledBack: this.rolledBack }),
        ...(requestId === undefined ? {} : { requestId }),
      },
    };
  }
}

/** Connection-level failures that mean "PostgreSQL is not there", as opposed to a bad statement. */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (
    e?.code &&
    ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', 'ETIMEDOUT'].includes(e.code)
  )
    return true;
  return /Connection terminated|connect ECONNREFUSED|the database system is (starting|shutting) (up|down)/.test(
    e?.message ?? '',
  );
}

export function toAgentError(error: unknown): AgentError {
  if (error instanceof AgentError) return error;
  if (isUnavailable(error)) {
    return new AgentError('DB_UNAVAILABLE', `PostgreSQL is unreachable: ${(error as Error).message}`);
  }
  const code = (error as { code?: string }).code;
  // Mistakes in a request that only PostgreSQL can spot: a database or role that does not exist.
  if (code === '3D000' || code === '42704') return new AgentError('BAD_REQUEST', (error as Error).message);
  if (code === '42501')
    return new AgentError('SCOPE_MISSING', `PostgreSQL refused the agent's role: ${(error as Error).message}`);
  return new AgentError('INTERNAL', error instanceof Error ? error.message : String(error));
}
