// The dry run (POST /v1/plans): reads the host, validates the bundle against the running server, and
// computes the exact hba bytes and ALTER SYSTEM statements an apply would produce, plus a fingerprint
// of the state it was computed from. No side effects. An apply recomputes the plan and refuses (409)
// when the fingerprint moved.

import { bundleMajor, type ProtectedConnection, type SourceBundle } from '../../contracts/bundle.js';
import { hashJson, sha256 } from '../../contracts/canonical-json.js';
import { compareText } from '../../contracts/compare.js';
import type { AgentConfig } from '../config/types.js';
import { AgentError } from '../errors.js';
import { parseHba } from '../hba/parse.js';
import type { SimConnection } from '../hba/simulate.js';
import { type Identity, readIdentity, readText } from '../host.js';
import type { Db } from '../pg/db.js';
import type { SettingRow } from '../pg/guc.js';
import { agentLogin, assertNoLockout, countDiff, planHba } from './plan-hba.js';
import { crossChecks, planSettings } from './plan-settings.js';
import type { AgentPlan, PlanInternals } from './plan-types.js';

export { agentLogin, assertNoLockout, checkReplicationKeyword } from './plan-hba.js';
export type { AgentPlan, Check, PlanInternals, SettingChange } from './plan-types.js';

export function bundleHashOf(bundle: SourceBundle): string {
  const { hash: _hash, ...rest } = bundle;
  return hashJson(rest);
}

function assertTarget(bundle: SourceBundle, identity: Identity): void {
  const major = bundleMajor(identity.serverVersionNum);
  if (bundle.target.pgMajor !== major) {
    throw new AgentError(
      'WRONG_TARGET',
      `the bundle is for PostgreSQL ${bundle.target.pgMajor}; this host runs ${identity.serverVersion}`,
      {
        details: [{ expected: bundle.target.pgMajor, actual: major }],
      },
    );
  }
  if (bundle.target.systemIdentifier !== null && bundle.target.systemIdentifier !== identity.systemIdentifier) {
    throw new AgentError(
      'WRONG_TARGET',
      `the bundle is for system ${bundle.target.systemIdentifier}; this host is ${identity.systemIdentifier}`,
      {
        details: [{ expected: bundle.target.systemIdentifier, actual: identity.systemIdentifier }],
      },
    );
  }
}

/**
 * Fingerprint of everything an apply depends on: if any of it moves, the plan is stale. `hba` and
 * `settings` are what the plan was computed from, so the fingerprint covers exactly what the plan saw.
 */
export async function fingerprint(
  identity: Identity,
  settings: ReadonlyMap<string, SettingRow>,
  hba: string,
): Promise<string> {
  const auto = await readText(identity.autoConfFile);
  const rows = [...settings.values()]
    .map(({ name, setting, pending_restart }) => ({ name, setting, pending_restart }))
    .sort((a, b) => compareText(a.name, b.name));
  return hashJson({
    systemIdentifier: identity.systemIdentifier,
    serverVersionNum: identity.serverVersionNum,
    files: { hba: sha256(hba), autoConf: sha256(auto) },
    settings: rows,
  });
}

export async function computePlan(db: Db, config: AgentConfig, bundle: SourceBundle): Promise<PlanInternals> {
  const bundleHash = bundleHashOf(bundle);
  if (bundleHash !== bundle.hash) {
    throw new AgentError(
      'BUNDLE_HASH_MISMATCH',
      `the bundle's hash ${bundle.hash} does not match its content (${bundleHash})`,
      {
        details: [{ declared: bundle.hash, computed: bundleHash }],
      },
    );
  }
  const identity = await readIdentity(db, config);
  assertTarget(bundle, identity);
  if (bundle.settingsMethod !== 'alter_system') {
    throw new AgentError(
      'SETTINGS_VALIDATION_FAILED',
      'settingsMethod include_file is not supported by this agent; use alter_system',
    );
  }
  const v = identity.serverVersionNum;
  const { changes, desired, restartPending, rows, capacityChecks } = await planSettings(db, bundle, identity, config);
  const checks = await crossChecks(db, desired, new Map([...rows].map(([name, row]) => [name, row.setting])), v);
  checks.push(...capacityChecks);
  const currentHba = await readText(identity.hbaFile);
  const hba = planHba(currentHba, bundle, v, config);
  const protect: (SimConnection & { expectMethod?: readonly string[] })[] = [
    agentLogin(config),
    ...bundle.hba.protect.map((p: ProtectedConnection) => ({ ...p })),
  ];
  assertNoLockout(parseHba(hba.candidate, v).records, protect);
  checks.push({ id: 'hba_lockout', status: 'pass', detail: `${protect.length} protected logins still admitted` });
  const hbaChanged = hba.candidate !== currentHba;
  // The diff library is loaded on the first plan that changes pg_hba.conf, not at start-up (agent idle memory).
  const diff = hbaChanged
    ? (await import('diff')).createTwoFilesPatch(
        identity.hbaFile,
        identity.hbaFile,
        currentHba,
        hba.candidate,
        'current',
        'planned',
      )
    : '';
  const baseFingerprint = await fingerprint(identity, rows, currentHba);
  const changesOut = {
    settings: changes,
    hba: {
      file: identity.hbaFile,
      changed: hbaChanged,
      diff,
      ...countDiff(diff),
      alreadySatisfied: hba.alreadySatisfied,
      shadowWarnings: hba.shadowWarnings,
    },
  };
  const planHash = hashJson({ bundleHash, baseFingerprint, changes: changesOut });
  const noop = changes.length === 0 && !hbaChanged;
  const plan: AgentPlan = {
    planId: `pl_${planHash.slice(7, 31)}`,
    planHash,
    baseFingerprint,
    bundleId: bundle.bundleId,
    bundleHash,
    expiresAt: new Date(Date.now() + config.limits.planTtlSeconds * 1000).toISOString(),
    noop,
    changes: changesOut,
    requires: { reload: !noop, restart: restartPending.length > 0 },
    restartPending,
    checks,
    warnings: hba.shadowWarnings,
  };
  return { plan, bundle, identity, currentHba, candidateHba: hba.candidate, desired };
}
