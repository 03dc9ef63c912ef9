// The /v1 routes: each is a thin adapter from HTTP to one module function. Methods, URLs and schemas
// (parameters, query strings, bodies, answers) come from the agent API contract
// (contracts/agent-api/routes.ts); request types are derived from those schemas by the type provider,
// so a handler reads `request.body` and `request.query` as the schema says, without casts. Scopes per
// route are in `config.scopes`.

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LOB_SAMPLING, type LobSamplingOptions } from '../catalog/lob-sample.js';
import { AGENT_ROUTES, type AgentReply } from '../contracts/agent-api/routes.js';
import { applyPlan, pendingRestartNames } from './apply/apply.js';
import { computePlan } from './apply/plan.js';
import { restartServer, rollbackToBackup } from './apply/restart.js';
import type { AgentContext } from './context.js';
import { AgentError } from './errors.js';
import { fence } from './fence.js';
import { readIdentity } from './host.js';
import { renderMetrics } from './metrics.js';
import type { SettingRow } from './pg/guc.js';
import { settingsSql } from './pg/sql.js';
import { preflight } from './preflight.js';
import { ensureRole, writeMarker } from './roles.js';
import { claimSlot } from './slot-claims.js';
import { assertSlotName, createSlot, dropSlot, listSlots, type SlotsSnapshot } from './slots.js';
import { AGENT_VERSION } from './version.js';

const principalOf = (request: { principal: import('./context.js').Principal | null }) => {
  if (!request.principal) throw new AgentError('UNAUTHORIZED', 'authentication required');
  return request.principal;
};

const listParam = (value: string | undefined): string[] | null =>
  value !== undefined && value !== ''
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;

/** `lobRows`, `lobTables`: the bound on LOB measurement (digits, by the schema); `lob=off` skips it. */
function lobSamplingParam(query: {
  readonly lob?: 'on' | 'off';
  readonly lobRows?: string;
  readonly lobTables?: string;
}): LobSamplingOptions | null {
  if (query.lob === 'off') return null;
  return {
    ...DEFAULT_LOB_SAMPLING,
    ...(query.lobRows === undefined ? {} : { rowCap: Number(query.lobRows) }),
    ...(query.lobTables === undefined ? {} : { maxTables: Number(query.lobTables) }),
  };
}

export function registerRoutes(fastify: FastifyInstance, ctx: AgentContext): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const R = AGENT_ROUTES;
  const read = { scopes: ['read'] } as const;

  app.get(R.health.url, { schema: R.health.schema }, async () => ({
    status: 'ok' as const,
    agentVersion: AGENT_VERSION,
    uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
    lock: { held: ctx.state.lockHolder !== null, holder: ctx.state.lockHolder },
  }));

  // PostgreSQL down is a 503 DB_UNAVAILABLE in the error envelope, like every other error.
  app.get(R.ready.url, { config: read, schema: R.ready.schema }, async () => {
    const identity = await readIdentity(ctx.db, ctx.config);
    const pending = await pendingRestartNames(ctx);
    return {
      ready: true as const,
      db: {
        reachable: true as const,
        serverVersionNum: identity.serverVersionNum,
        inRecovery: identity.inRecovery,
        postmasterStartTime: identity.postmasterStartTime,
      },
      pendingRestart: pending.length > 0,
    };
  });

  app.get(R.status.url, { config: read, schema: R.status.schema }, async () => {
    const identity = await readIdentity(ctx.db, ctx.config);
    const pending = await ctx.db.query<{
      name: string;
      setting: string;
      file_value: string | null;
      sourcefile: string | null;
      sourceline: number | null;
    }>(
      `WITH f AS (SELECT DISTINCT ON (name) name, setting AS file_value, sourcefile, sourceline FROM pg_catalog.pg_file_settings
                   WHERE name IS NOT NULL ORDER BY name, seqno DESC)
       SELECT s.name, s.setting, f.file_value, f.sourcefile, f.sourceline FROM pg_catalog.pg_settings s LEFT JOIN f USING (name)
        WHERE s.pending_restart ORDER BY s.name`,
    );
    const journal = await ctx.state.readJournal();
    const applied = await ctx.state.readApplied();
    return {
      agentVersion: AGENT_VERSION,
      serverVersion: identity.serverVersion,
      serverVersionNum: identity.serverVersionNum,
      systemIdentifier: identity.systemIdentifier,
      role: identity.inRecovery ? ('standby' as const) : ('primary' as const),
      currentLsn: identity.currentLsn,
      postmasterStartTime: identity.postmasterStartTime,
      dataDirectory: identity.dataDirectory,
      configFile: identity.configFile,
      hbaFile: identity.hbaFile,
      pendingRestart: pending.length > 0,
      pendingRestartReason: Object.fromEntries(
        pending.map((p) => [
          p.name,
          {
            running: p.setting,
            file: p.file_value,
            fileSource: p.sourcefile ? `${p.sourcefile}:${p.sourceline}` : null,
          },
        ]),
      ),
      applied: applied === null ? null : { ...applied, slots: [...applied.slots] },
      lastOperation: journal
        ? {
            id: journal.operationId,
            kind: journal.kind,
            phase: journal.phase,
            result: journal.result ?? null,
            planHash: journal.planHash,
            at: journal.at,
          }
        : null,
    };
  });

  app.get(R.settings.url, { config: read, schema: R.settings.schema }, async (request) => {
    const names = listParam(request.query.names) ?? [...ctx.config.settingsAllowList];
    const rows = await ctx.db.query<SettingRow>(settingsSql, [names]);
    return {
      settings: rows.map((r) => ({
        name: r.name,
        running: r.setting,
        unit: r.unit,
        vartype: r.vartype,
        context: r.context,
        source: r.source,
        sourceFile: r.sourcefile,
        sourceLine: r.sourceline,
        bootVal: r.boot_val,
        enumvals: r.enumvals,
        pendingRestart: r.pending_restart,
        managedByAgent: ctx.config.settingsAllowList.includes(r.name),
      })),
    };
  });

  app.post(R.preflight.url, { config: { scopes: ['plan'] }, schema: R.preflight.schema }, async (request) =>
    preflight(ctx, request.body),
  );

  app.get(R.catalog.url, { config: read, schema: R.catalog.schema }, async (request, reply) => {
    const query = request.query;
    // The catalog reader is loaded on the first catalog request, not at start-up (agent idle memory).
    const { agentCatalog } = await import('./catalog.js');
    const read = await agentCatalog(ctx, {
      databases: listParam(query.databases),
      schemas: listParam(query.schemas),
      lobSampling: lobSamplingParam(query),
      ...(query.maxTables === undefined ? {} : { maxTables: Number(query.maxTables) }),
    });
    // The statement count travels beside the snapshot, never inside it (it is not a fact about the source).
    return reply
      .header('x-pgferry-catalog-queries', String(read.queries))
      .send({ ...read.snapshot, databases: [...read.snapshot.databases] });
  });

  app.post(R.plan.url, { config: { scopes: ['plan'] }, schema: R.plan.schema }, async (request) => {
    const internals = await computePlan(ctx.db, ctx.config, request.body);
    for (const [id, entry] of ctx.plans) if (Date.now() > entry.expiresAt + 3_600_000) ctx.plans.delete(id);
    ctx.plans.set(internals.plan.planId, { internals, expiresAt: Date.parse(internals.plan.expiresAt) });
    await ctx.state.audit({
      kind: 'plan',
      principal: principalOf(request).tokenId,
      planHash: internals.plan.planHash,
      bundleHash: internals.plan.bundleHash,
      noop: internals.plan.noop,
      result: 'planned',
    });
    return internals.plan;
  });

  app.get(R.planGet.url, { config: { scopes: ['plan'] }, schema: R.planGet.schema }, async (request) => {
    const { planId } = request.params;
    const stored = ctx.plans.get(planId);
    if (!stored) throw new AgentError('PLAN_NOT_FOUND', `no plan '${planId}'`);
    return stored.internals.plan;
  });

  app.post(R.apply.url, { config: { scopes: ['apply'] }, schema: R.apply.schema }, async (request) => {
    return applyPlan(ctx, request.params.planId, request.body, principalOf(request));
  });

  app.post(R.restart.url, { config: { scopes: ['restart'] }, schema: R.restart.schema }, async (request) =>
    restartServer(ctx, request.body, principalOf(request)),
  );

  // Operations finish before their request answers; this reports the last one (journal), e.g. after a lost answer.
  app.get(R.operation.url, { config: read, schema: R.operation.schema }, async (request) => {
    const { id } = request.params;
    const journal = await ctx.state.readJournal();
    if (!journal || journal.operationId !== id)
      throw new AgentError('NOT_FOUND', `no record of operation '${id}' (only the last one is kept)`);
    const status =
      journal.phase === 'done'
        ? 'succeeded'
        : journal.phase === 'aborted'
          ? `failed_${journal.result ?? 'aborted'}`
          : 'running';
    return { ...journal, status };
  });

  app.get(R.backups.url, { config: read, schema: R.backups.schema }, async () => ({
    backups: (await ctx.state.listBackups()).map((manifest) => ({
      ...manifest,
      files: [...manifest.files],
      appliedBefore: manifest.appliedBefore
        ? { ...manifest.appliedBefore, slots: [...manifest.appliedBefore.slots] }
        : manifest.appliedBefore,
    })),
  }));

  app.post(R.rollback.url, { config: { scopes: ['rollback'] }, schema: R.rollback.schema }, async (request) => {
    const answer = await rollbackToBackup(ctx, request.body, principalOf(request));
    return {
      ...answer,
      applied: answer.applied === null ? null : { ...answer.applied, slots: [...answer.applied.slots] },
    };
  });

  // One answer object per snapshot, serialised once (memoJson): between two catalog queries every caller
  // gets the same bytes.
  const slotsAnswers = new WeakMap<SlotsSnapshot, AgentReply<'slots'>>();
  app.get(R.slots.url, { config: read, schema: R.slots.schema }, async (request, reply) => {
    const snapshot = await listSlots(ctx);
    const { limit, offset } = request.query;
    if (limit !== undefined || offset !== undefined) {
      // Hosts with hundreds of slots page through them; without paging the whole list comes back.
      const size = Number(limit ?? 100);
      const from = Number(offset ?? 0);
      const { takenAt, slots, ...rest } = snapshot;
      const next = from + size < slots.length ? from + size : null;
      return {
        ...rest,
        capabilities: { ...rest.capabilities },
        total: slots.length,
        offset: from,
        nextOffset: next,
        slots: slots.slice(from, from + size),
        takenAt: new Date(takenAt).toISOString(),
      };
    }
    let answer = slotsAnswers.get(snapshot);
    if (answer === undefined) {
      const { takenAt, slots, ...rest } = snapshot;
      answer = {
        ...rest,
        capabilities: { ...rest.capabilities },
        slots: [...slots],
        takenAt: new Date(takenAt).toISOString(),
      };
      slotsAnswers.set(snapshot, answer);
    }
    return reply.type('application/json; charset=utf-8').send(answer);
  });

  app.get(R.slot.url, { config: read, schema: R.slot.schema }, async (request) => {
    const { name } = request.params;
    assertSlotName(name);
    const slot = (await listSlots(ctx)).slots.find((s) => s.slotName === name);
    if (!slot) throw new AgentError('SLOT_NOT_FOUND', `no replication slot '${name}'`);
    return slot;
  });

  app.post(R.slotCreate.url, { config: { scopes: ['apply'] }, schema: R.slotCreate.schema }, async (request) =>
    createSlot(ctx, request.body, principalOf(request)),
  );

  app.post(R.slotClaim.url, { config: { scopes: ['apply'] }, schema: R.slotClaim.schema }, async (request) => {
    const { name } = request.params;
    const slot = (await listSlots(ctx, 0)).slots.find((s) => s.slotName === name);
    return claimSlot(ctx, name, request.body, slot, principalOf(request));
  });

  app.delete(R.slotDrop.url, { config: { scopes: ['slot:drop'] }, schema: R.slotDrop.schema }, async (request) =>
    dropSlot(ctx, request.params.name, request.body ?? {}, principalOf(request)),
  );

  app.post(R.role.url, { config: { scopes: ['apply'] }, schema: R.role.schema }, async (request) =>
    ensureRole(ctx, request.body, principalOf(request)),
  );

  app.post(R.fence.url, { config: { scopes: ['apply'] }, schema: R.fence.schema }, async (request) =>
    fence(ctx, request.body, principalOf(request), true),
  );

  app.post(R.unfence.url, { config: { scopes: ['apply'] }, schema: R.unfence.schema }, async (request) =>
    fence(ctx, request.body, principalOf(request), false),
  );

  app.post(R.marker.url, { config: { scopes: ['apply'] }, schema: R.marker.schema }, async (request) =>
    writeMarker(ctx, request.body, principalOf(request)),
  );

  app.get(R.audit.url, { config: read, schema: R.audit.schema }, async (request) => {
    const limit = Math.min(1000, Number(request.query.limit ?? 100) || 100);
    return { records: await ctx.state.readAudit(limit) };
  });

  app.get('/metrics', { config: { scopes: ['metrics'] } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await renderMetrics(ctx)),
  );
}
