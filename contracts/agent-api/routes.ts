// The agent API contract: each route's method, URL and JSON Schemas (path parameters, query string,
// body, answers by status, the error envelope for every 4xx/5xx). The agent registers its routes from
// this table, the executor's client calls routes by name and validates the answers, and the tests' fake
// agent and the contract test check against it, so the three cannot drift apart. Types are derived
// from the schemas (json-schema-to-ts, type-level only: nothing of it is loaded at run time).

import type { FromSchema } from 'json-schema-to-ts';
import type { CatalogSnapshot } from '../catalog.js';
import * as req from './requests.js';
import * as res from './responses.js';

const errors = { '4xx': res.errorEnvelope, '5xx': res.errorEnvelope } as const;

export const AGENT_ROUTES = {
  health: { method: 'GET', url: '/v1/health', schema: { response: { 200: res.healthResponse, ...errors } } },
  ready: { method: 'GET', url: '/v1/ready', schema: { response: { 200: res.readyResponse, ...errors } } },
  status: { method: 'GET', url: '/v1/status', schema: { response: { 200: res.statusResponse, ...errors } } },
  settings: {
    method: 'GET',
    url: '/v1/settings',
    schema: { querystring: req.settingsQuery, response: { 200: res.settingsResponse, ...errors } },
  },
  preflight: {
    method: 'POST',
    url: '/v1/preflight',
    schema: { body: req.preflightRequestSchema, response: { 200: res.preflightResponse, ...errors } },
  },
  catalog: {
    method: 'GET',
    url: '/v1/catalog',
    schema: { querystring: req.catalogQuery, response: { 200: res.catalogResponse, ...errors } },
  },
  plan: {
    method: 'POST',
    url: '/v1/plans',
    schema: { body: req.planRequestSchema, response: { 200: res.planResponse, ...errors } },
  },
  planGet: {
    method: 'GET',
    url: '/v1/plans/:planId',
    schema: { params: req.planIdParams, response: { 200: res.planResponse, ...errors } },
  },
  apply: {
    method: 'POST',
    url: '/v1/plans/:planId/apply',
    schema: {
      params: req.planIdParams,
      body: req.applyRequestSchema,
      response: { 200: res.applyResponse, ...errors },
    },
  },
  restart: {
    method: 'POST',
    url: '/v1/restart',
    schema: { body: req.restartRequestSchema, response: { 200: res.restartResponse, ...errors } },
  },
  operation: {
    method: 'GET',
    url: '/v1/operations/:id',
    schema: { params: req.operationIdParams, response: { 200: res.operationResponse, ...errors } },
  },
  backups: { method: 'GET', url: '/v1/backups', schema: { response: { 200: res.backupsResponse, ...errors } } },
  rollback: {
    method: 'POST',
    url: '/v1/rollback',
    schema: { body: req.rollbackRequestSchema, response: { 200: res.rollbackResponse, ...errors } },
  },
  slots: {
    method: 'GET',
    url: '/v1/slots',
    schema: { querystring: req.slotsQuery, response: { 200: res.slotsResponse, ...errors } },
  },
  slot: {
    method: 'GET',
    url: '/v1/slots/:name',
    schema: { params: req.slotNameParams, response: { 200: res.slotInfo, ...errors } },
  },
  slotCreate: {
    method: 'POST',
    url: '/v1/slots',
    schema: { body: req.slotCreateRequestSchema, response: { 200: res.slotCreateResponse, ...errors } },
  },
  slotClaim: {
    method: 'POST',
    url: '/v1/slots/:name/claim',
    schema: {
      params: req.slotNameParams,
      body: req.slotClaimRequestSchema,
      response: { 200: res.slotClaimResponse, ...errors },
    },
  },
  slotDrop: {
    method: 'DELETE',
    url: '/v1/slots/:name',
    schema: {
      params: req.slotNameParams,
      body: req.slotDropRequestSchema,
      response: { 200: res.slotDropResponse, ...errors },
    },
  },
  role: {
    method: 'POST',
    url: '/v1/roles',
    schema: { body: req.roleEnsureRequestSchema, response: { 200: res.roleResponse, ...errors } },
  },
  fence: {
    method: 'POST',
    url: '/v1/fence',
    schema: { body: req.fenceRequestSchema, response: { 200: res.fenceResponse, ...errors } },
  },
  unfence: {
    method: 'POST',
    url: '/v1/unfence',
    schema: { body: req.fenceRequestSchema, response: { 200: res.fenceResponse, ...errors } },
  },
  marker: {
    method: 'POST',
    url: '/v1/markers',
    schema: { body: req.markerRequestSchema, response: { 200: res.markerResponse, ...errors } },
  },
  audit: {
    method: 'GET',
    url: '/v1/audit',
    schema: { querystring: req.auditQuery, response: { 200: res.auditResponse, ...errors } },
  },
} as const;

export type AgentRoutes = typeof AGENT_ROUTES;
export type AgentRouteName = keyof AgentRoutes;

type SchemaOf<N extends AgentRouteName> = AgentRoutes[N]['schema'];

/** The success answer of a route (the catalog's full format is CatalogSnapshot, contracts/catalog.ts). */
export type AgentReply<N extends AgentRouteName> = N extends 'catalog'
  ? CatalogSnapshot
  : FromSchema<SchemaOf<N>['response'][200]>;

export type AgentBody<N extends AgentRouteName> =
  SchemaOf<N> extends { body: infer B } ? FromSchema<B & object> : never;
export type AgentQuery<N extends AgentRouteName> =
  SchemaOf<N> extends { querystring: infer Q } ? FromSchema<Q & object> : never;
export type AgentParams<N extends AgentRouteName> =
  SchemaOf<N> extends { params: infer P } ? FromSchema<P & object> : never;

export type AgentErrorBody = FromSchema<typeof res.errorEnvelope>;

/** The path of a route with its parameters filled in (each encoded). */
export function agentPath(url: string, params: Readonly<Record<string, string>> = {}): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${url}: no value for :${name}`);
    return encodeURIComponent(value);
  });
}
