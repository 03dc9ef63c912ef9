// Everything a route handler needs, built once at start-up and passed explicitly (no globals), so tests
// can build as many agents as they like in one process.

import type { PlanInternals } from './apply/plan.js';
import type { Principal, TokenTable } from './auth.js';
import type { AgentConfig } from './config/types.js';
import type { Db } from './pg/db.js';
import type { SecretResolver } from './secrets.js';
import type { StateDir } from './state/state-dir.js';

export interface Counters {
  apply: Record<'applied' | 'noop' | 'rejected' | 'rolled_back', number>;
  restart: Record<'ok' | 'failed', number>;
  scrapeErrors: number;
}

export interface AgentContext {
  readonly config: AgentConfig;
  readonly db: Db;
  readonly state: StateDir;
  readonly secrets: SecretResolver;
  readonly tokens: TokenTable;
  readonly plans: Map<string, { internals: PlanInternals; expiresAt: number }>;
  readonly counters: Counters;
  readonly startedAt: number;
  /** Slot names first seen inactive, for versions without inactive_since. */
  readonly observedInactive: Map<string, string>;
  /** Test mode only: the `kind:phase` at which an operation stops (apply/checkpoint.ts). */
  readonly pauseAt?: string | null;
}

export type { Principal };

export function newCounters(): Counters {
  return {
    apply: { applied: 0, noop: 0, rejected: 0, rolled_back: 0 },
    restart: { ok: 0, failed: 0 },
    scrapeErrors: 0,
  };
}
