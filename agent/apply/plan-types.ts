// The shapes of a plan (POST /v1/plans) and of the internals an apply needs beyond it.

import type { SourceBundle } from '../../contracts/bundle.js';
import type { Identity } from '../host.js';

export interface SettingChange {
  readonly name: string;
  /** Running value (pg_settings.setting, base unit). */
  readonly from: string;
  /** Value the config files currently give it, if any file sets it. */
  readonly fileValue: string | null;
  readonly to: string;
  readonly unit: string | null;
  readonly context: string;
  readonly effect: 'reload' | 'restart';
  readonly sql: string;
}

export interface Check {
  readonly id: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
}

export interface AgentPlan {
  readonly planId: string;
  readonly planHash: string;
  readonly baseFingerprint: string;
  readonly bundleId: string;
  readonly bundleHash: string;
  readonly expiresAt: string;
  readonly noop: boolean;
  readonly changes: {
    readonly settings: readonly SettingChange[];
    readonly hba: {
      readonly file: string;
      readonly changed: boolean;
      readonly diff: string;
      readonly added: number;
      readonly removed: number;
      readonly alreadySatisfied: readonly string[];
      readonly shadowWarnings: readonly string[];
    };
  };
  readonly requires: { readonly reload: boolean; readonly restart: boolean };
  /** Postmaster settings whose desired value is not yet running (a restart would apply them). */
  readonly restartPending: readonly string[];
  readonly checks: readonly Check[];
  readonly warnings: readonly string[];
}

/** What apply needs beyond the public plan. */
export interface PlanInternals {
  readonly plan: AgentPlan;
  readonly bundle: SourceBundle;
  readonly identity: Identity;
  readonly currentHba: string;
  readonly candidateHba: string;
  readonly desired: ReadonlyMap<string, { readonly normalised: string; readonly context: string }>;
}
