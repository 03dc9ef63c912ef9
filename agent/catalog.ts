// GET /v1/catalog: the snapshot `pgferry catalog --plan` fetches, read by the same module as the direct
// path (catalog/reader.ts) over the agent's own sessions, plus what only the host can see: the
// effective pg_hba.conf rules.

import { CatalogReadError } from '../catalog/errors.js';
import type { LobSamplingOptions } from '../catalog/lob-sample.js';
import { type CatalogRead, readCatalog } from '../catalog/reader.js';
import { inSnapshotTransaction } from '../catalog/session.js';
import type { CatalogHbaRule, CatalogSnapshot } from '../contracts/catalog.js';
import type { AgentContext } from './context.js';
import { AgentError } from './errors.js';
import { parseHba } from './hba/parse.js';
import { readIdentity, readText } from './host.js';

export interface AgentCatalogOptions {
  readonly databases: readonly string[] | null;
  readonly schemas: readonly string[] | null;
  /** null: no LOB measurement (the preflight only needs keys and types). */
  readonly lobSampling?: LobSamplingOptions | null;
  readonly maxTables?: number;
}

async function effectiveHba(ctx: AgentContext, versionNum: number): Promise<CatalogHbaRule[]> {
  const identity = await readIdentity(ctx.db, ctx.config);
  const parsed = parseHba(await readText(identity.hbaFile), versionNum);
  // Options stay out: an ldapbindpasswd is a secret, and nothing a plan decides depends on them.
  return parsed.records.map((r) => ({
    line: r.line,
    type: r.type,
    databases: r.databases,
    users: r.users,
    address: r.address,
    method: r.method,
  }));
}

export async function agentCatalog(ctx: AgentContext, options: AgentCatalogOptions): Promise<CatalogRead> {
  let read: CatalogRead;
  try {
    read = await readCatalog(
      {
        withSession: (database, fn) =>
          ctx.db.withClient((client) => inSnapshotTransaction(client, fn), database ?? undefined),
      },
      options,
    );
  } catch (error) {
    if (error instanceof CatalogReadError) {
      throw new AgentError(error.kind === 'request' ? 'BAD_REQUEST' : 'PRECONDITION_FAILED', error.message);
    }
    throw error;
  }
  const hba = await effectiveHba(ctx, read.snapshot.serverVersionNum);
  return { ...read, snapshot: { ...read.snapshot, host: { ...read.snapshot.host, hba } } };
}

/** The snapshot alone, without LOB measurement unless asked (the preflight's use). */
export async function catalogSnapshot(
  ctx: AgentContext,
  databases: readonly string[] | null,
  schemas: readonly string[] | null,
): Promise<CatalogSnapshot> {
  return (await agentCatalog(ctx, { databases, schemas, lobSampling: null })).snapshot;
}
