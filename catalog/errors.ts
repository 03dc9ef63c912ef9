// Why a catalog could not be read, said so a DBA can act: which host, which grant, which setting. A
// failed read never yields a snapshot (the reader throws), so a partial catalog is never written.

export class CatalogReadError extends Error {
  /** `request`: the caller asked for something that is not there (the agent answers 400). */
  constructor(
    message: string,
    readonly kind: 'request' | 'source' = 'source',
  ) {
    super(message);
    this.name = 'CatalogReadError';
  }
}

interface PgLikeError {
  readonly code?: string;
  readonly message: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

/** Turns a connection or query failure into a message that names the fix. */
export function explainPgError(error: unknown, where: { address: string; user: string; database: string }): Error {
  if (error instanceof CatalogReadError) return error;
  const e = error as PgLikeError;
  const message = e?.message ?? String(error);
  const code = e?.code;
  if (
    (code && NETWORK_CODES.has(code)) ||
    /timeout expired|Connection terminated due to connection timeout/i.test(message)
  ) {
    return new CatalogReadError(
      `cannot reach PostgreSQL at ${where.address} (${code ?? message}): check the host and port, that PostgreSQL listens there (listen_addresses) and that no firewall is in the way`,
    );
  }
  if (code === '28P01') {
    return new CatalogReadError(
      `password authentication failed for user "${where.user}" at ${where.address}: check the password (PGPASSWORD, --password-ref)`,
    );
  }
  if (code === '28000') {
    return new CatalogReadError(
      `PostgreSQL at ${where.address} refused user "${where.user}" for database "${where.database}": ${message} (add a pg_hba.conf rule for this client)`,
    );
  }
  if (code === '3D000') {
    return new CatalogReadError(`database "${where.database}" does not exist at ${where.address}`);
  }
  if (code === '42501') {
    return new CatalogReadError(
      `user "${where.user}" lacks a privilege the catalog needs in database "${where.database}": ${message} (GRANT pg_monitor TO ${where.user}; and GRANT CONNECT ON DATABASE on each database)`,
    );
  }
  if (code === '57014') {
    return new CatalogReadError(
      `a catalog query in database "${where.database}" was cancelled (statement timeout): ${message}`,
    );
  }
  return error instanceof Error ? error : new Error(message);
}
