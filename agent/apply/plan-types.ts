// The shapes of a plan (POST /v1/plans) and of the internals an apply needs beyond it.

import type { AgentReply } from '../../contracts/agent-api/routes.js';
import type { SourceBundle } from '../../contracts/bundle.js';
import type { Identity } from '../host.js';

/** The plan as the agent API answers it (contracts/agent-api/responses.ts, planResponse). */
export type AgentPlan = AgentReply<'plan'>;
export type SettingChange = AgentPlan['changes']['settings'][number];
export type Check = AgentPlan['checks'][number];

/** What apply needs beyond the public plan. */
export interface PlanInternals {
  readonly plan: AgentPlan;
  readonly bundle: SourceBundle;
  readonly identity: Identity;
  readonly currentHba: string;
  readonly candidateHba: string;
  readonly desired: ReadonlyMap<string, { readonly normalised: string; readonly context: string }>;
}
