// The /v1 routes: each is a thin adapter from HTTP to one module function. Scopes per route are in
// `config.scopes`; request bodies are checked by the schemas in schemas.ts.

import type { FastifyInstance } from 'fastify';
import { DEFAULT_LOB_SAMPLING, type LobSamplingOptions } from '../catalog/lob-sample.js';
import type { SourceBundle } from '../contracts/bundle.js';
import { applyPlan, pendingRestartNames } from './apply/apply.js';
import { computePlan } from './apply/plan.js';
import { type RestartRequest, restartServer, rollbackToBackup } from './apply/restart.js';
import { agentCatalog } from './catalog.js';
import type { AgentContext } from './context.js';
import { AgentError } from './errors.js';
import { type FenceRequest, fence } from './fence.js';
import { readIdentity } from './host.js';
import { renderMetrics } from './metrics.js';
import type { SettingRow } from './pg/guc.js';
import { settingsSql } from './pg/sql.js';
import { type PreflightRequest, preflight } from './preflight.js';
import { ensureRole, type RoleRequest, writeMarker } from './roles.js';
import * as schemas from './schemas.js';
import { claimSlot } from './slot-claims.js';
import { assertSlotName, createSlot, dropSlot, listSlots } from './slots.js';
import { AGENT_VERSION } from './version.js';

const principalOf = (request: { principal: import('./context.js').Principal | null }) => {
  if (!request.principal) throw new AgentError('UNAUTHORIZED', 'authentication required');
  return request.principal;
};

const listParam = (value: unknown): string[] | null =>
  typeof value === 'string' && value !== ''
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;

function positiveParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new AgentError('BAD_REQUEST', `${name} must be a positive integer`);
  return n;
}

/** `lobRows`, `lobTables`: the bound on LOB measurement; `lob=off` skips it. */
function lobSamplingParam(query: Record<string, unknown>): LobSamplingOptions | null {
  if (query.lob === 'off') return null;
  return {
    ...DEFAULT_LOB_SAMPLING,
    ...(query.lobRows === undefined ? {} : { rowCap: positiveParam(query.lobRows, 'lobRows') }),
    ...(query.lobTables === undefined ? {} : { maxTables: positiveParam(query.lobTables, 'lobTables') }),
  };
}

export function registerRoutes(app: FastifyInstance, ctx: AgentContext): void {
  app.get('/v1/health', async () => ({
    status: 'ok',
    agentVersion: AGENT_VERSION,
    uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
    lock: { held: ctx.state.lockHolder !== null, holder: ctx.state.lockHolder },
  }));

  app.get('/v1/ready', { config: { scopes: ['read'] } }, async (_request, reply) => {
    try {
      const identity = await readIdentity(ctx.db, ctx.config);
      const pending = await pendingRestartNames(ctx);
      return {
        ready: true,
        db: {
          reachable: true,
          serverVersionNum: identity.serverVersionNum,
          inRecovery: identity.inRecovery,
          postmasterStartTime: identity.postmasterStartTime,
        },
        pendingRestart: pending.length > 0,
      };
    } catch (error) {
      if (error instanceof AgentError && error.code === 'DB_UNAVAILABLE') {
        return reply.code(503).send({ ready: false, db: { reachable: false, error: error.message } });
      }
      throw error;
    }
  });

  app.get('/v1/status', { config: { scopes: ['read'] } }, async () => {
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
      role: identity.inRecovery ? 'standby' : 'primary',
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
      applied,
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

  app.get('/v1/settings', { config: { scopes: ['read'] } }, async (request) => {
    const names = listParam((request.query as Record<string, unknown>).names) ?? [...ctx.config.settingsAllowList];
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

  app.post(
    '/v1/preflight',
    { config: { scopes: ['plan'] }, schema: { body: schemas.preflightRequestSchema } },
    async (request) => preflight(ctx, (request.body ?? {}) as PreflightRequest),
  );

  app.get('/v1/catalog', { config: { scopes: ['read'] } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const read = await agentCatalog(ctx, {
      databases: listParam(query.databases),
      schemas: listParam(query.schemas),
      lobSampling: lobSamplingParam(query),
      ...(query.maxTables === undefined ? {} : { maxTables: positiveParam(query.maxTables, 'maxTables') }),
    });
    // The statement count travels beside the snapshot, never inside it (it is not a fact about the source).
    return reply.header('x-pgferry-catalog-queries', String(read.queries)).send(read.snapshot);
  });

  app.post(
    '/v1/plans',
    { config: { scopes: ['plan'] }, schema: { body: schemas.planRequestSchema } },
    async (request) => {
      const internals = await computePlan(ctx.db, ctx.config, request.body as SourceBundle);
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
    },
  );

  app.get('/v1/plans/:planId', { config: { scopes: ['plan'] } }, async (request) => {
    const { planId } = request.params as { planId: string };
    const stored = ctx.plans.get(planId);
    if (!stored) throw new AgentError('PLAN_NOT_FOUND', `no plan '${planId}'`);
    return stored.internals.plan;
  });

  app.post(
    '/v1/plans/:planId/apply',
    { config: { scopes: ['apply'] }, schema: { body: schemas.applyRequestSchema } },
    async (request) => {
      const { planId } = request.params as { planId: string };
      return applyPlan(ctx, planId, request.body as { planHash: string }, principalOf(request));
    },
  );

  app.post(
    '/v1/restart',
    { config: { scopes: ['restart'] }, schema: { body: schemas.restartRequestSchema } },
    async (request) => restartServer(ctx, request.body as RestartRequest, principalOf(request)),
  );

  // Operations finish before their request answers; this reports the last one (journal), e.g. after a lost answer.
  app.get('/v1/operations/:id', { config: { scopes: ['read'] } }, async (request) => {
    const { id } = request.params as { id: string };
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

  app.get('/v1/backups', { config: { scopes: ['read'] } }, async () => ({ backups: await ctx.state.listBackups() }));

  app.post(
    '/v1/rollback',
    { config: { scopes: ['rollback'] }, schema: { body: schemas.rollbackRequestSchema } },
    async (request) =>
      rollbackToBackup(ctx, (request.body ?? {}) as { backupId?: string; force?: boolean }, principalOf(request)),
  );

  // Serialised once per snapshot: between two catalog queries every caller gets the same bytes.
  const slotsJson = new WeakMap<object, string>();
  app.get('/v1/slots', { config: { scopes: ['read'] } }, async (request, reply) => {
    const snapshot = await listSlots(ctx);
    const query = request.query as Record<string, unknown>;
    if (query.limit !== undefined || query.offset !== undefined) {
      // Hosts with hundreds of slots page through them; without paging the whole list comes back.
      const limit = Number(query.limit ?? 100);
      const offset = Number(query.offset ?? 0);
      if (!Number.isInteger(limit) || !Number.isInteger(offset) || limit < 1 || limit > 1000 || offset < 0) {
        throw new AgentError('BAD_REQUEST', 'limit must be 1..1000 and offset 0 or more');
      }
      const { takenAt, slots, ...rest } = snapshot;
      const page = slots.slice(offset, offset + limit);
      const next = offset + limit < slots.length ? offset + limit : null;
      return {
        ...rest,
        total: slots.length,
        offset,
        nextOffset: next,
        slots: page,
        takenAt: new Date(takenAt).toISOString(),
      };
    }
    let body = slotsJson.get(snapshot);
    if (body === undefined) {
      const { takenAt, ...rest } = snapshot;
      body = JSON.stringify({ ...rest, takenAt: new Date(takenAt).toISOString() });
      slotsJson.set(snapshot, body);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/v1/slots/:name', { config: { scopes: ['read'] } }, async (request) => {
    const { name } = request.params as { name: string };
    assertSlotName(name);
    const slot = (await listSlots(ctx)).slots.find((s) => s.slotName === name);
    if (!slot) throw new AgentError('SLOT_NOT_FOUND', `no replication slot '${name}'`);
    return slot;
  });

  app.post(
    '/v1/slots',
    { config: { scopes: ['apply'] }, schema: { body: schemas.slotCreateRequestSchema } },
    async (request) => createSlot(ctx, request.body as { name: string; database: string }, principalOf(request)),
  );

  app.post(
    '/v1/slots/:name/claim',
    { config: { scopes: ['apply'] }, schema: { body: schemas.slotClaimRequestSchema } },
    async (request) => {
      const { name } = request.params as { name: string };
      const slot = (await listSlots(ctx, 0)).slots.find((s) => s.slotName === name);
      return claimSlot(ctx, name, request.body as { database: string; owner: string }, slot, principalOf(request));
    },
  );

  app.delete(
    '/v1/slots/:name',
    { config: { scopes: ['slot:drop'] }, schema: { body: schemas.slotDropRequestSchema } },
    async (request) => {
      const { name } = request.params as { name: string };
      return dropSlot(ctx, name, (request.body ?? {}) as { confirmSlotName?: string }, principalOf(request));
    },
  );

  app.post(
    '/v1/roles',
    { config: { scopes: ['apply'] }, schema: { body: schemas.roleEnsureRequestSchema } },
    async (request) => ensureRole(ctx, request.body as RoleRequest, principalOf(request)),
  );

  app.post(
    '/v1/fence',
    { config: { scopes: ['apply'] }, schema: { body: schemas.fenceRequestSchema } },
    async (request) => fence(ctx, request.body as FenceRequest, principalOf(request), true),
  );

  app.post(
    '/v1/unfence',
    { config: { scopes: ['apply'] }, schema: { body: schemas.fenceRequestSchema } },
    async (request) => fence(ctx, request.body as FenceRequest, principalOf(request), false),
  );

  app.post(
    '/v1/markers',
    { config: { scopes: ['apply'] }, schema: { body: schemas.markerRequestSchema } },
    async (request) => writeMarker(ctx, request.body as { database: string }, principalOf(request)),
  );

  app.get('/v1/audit', { config: { scopes: ['read'] } }, async (request) => {
    const limit = Math.min(1000, Number((request.query as Record<string, unknown>).limit ?? 100) || 100);
    return { records: await ctx.state.readAudit(limit) };
  });

  app.get('/metrics', { config: { scopes: ['metrics'] } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await renderMetrics(ctx)),
  );
}
