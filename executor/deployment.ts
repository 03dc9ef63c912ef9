// Where things are at run time: the agent, the target server, optionally a direct source connection.
// It comes from the compiled `plan.resolved.json` (an artifact, not the YAML), and command-line flags
// may override addresses (tunnels, test clusters). Secrets stay references until the moment of use.

import type { SecretRef } from '../contracts/secret-ref.js';
import type { WaitKind } from './waits.js';

export interface DbAccess {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: SecretRef | null;
  readonly ssl: boolean;
}

export interface Deployment {
  readonly plan: string;
  readonly agent: { readonly url: string; readonly token: SecretRef } | null;
  readonly target: DbAccess | null;
  /** Source database name → target database name. */
  readonly databases: Readonly<Record<string, string>>;
  /** A direct source connection, for sequence reads when given (else the agent's catalog). */
  readonly source: DbAccess | null;
  readonly sequenceMargin: number;
  readonly region: string | null;
  /** Minutes each kind of wait gives up after (`cutover.timeouts`); absent kinds take the defaults. */
  readonly timeouts?: Partial<Record<WaitKind, number>>;
}

const TIMEOUT_KEYS: Readonly<Record<string, WaitKind>> = {
  task_minutes: 'task',
  full_load_minutes: 'full_load',
  lag_minutes: 'lag',
  marker_minutes: 'marker',
  slot_minutes: 'slot',
};

function timeoutsOf(value: unknown): Partial<Record<WaitKind, number>> {
  const out: Partial<Record<WaitKind, number>> = {};
  for (const [key, minutes] of Object.entries(record(value))) {
    const kind = TIMEOUT_KEYS[key];
    if (kind !== undefined && typeof minutes === 'number' && minutes > 0) out[kind] = minutes;
  }
  return out;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function secretRef(value: unknown): SecretRef | null {
  const ref = record(value);
  if (typeof ref.ssm === 'string') return { ssm: ref.ssm };
  if (typeof ref.env === 'string') return { env: ref.env };
  if (typeof ref.secretsManager === 'string') return { secretsManager: ref.secretsManager };
  return null;
}

/** Reads the parts of a resolved plan the executor needs; tolerant of missing sections. */
export function deploymentFromPlan(planJson: unknown, planName: string): Deployment {
  const plan = record(planJson);
  const source = record(plan.source);
  const target = record(plan.target);
  const agent = record(source.agent);
  const admin = record(target.admin_user);
  const cutover = record(plan.cutover);
  const sequences = record(cutover.sequences);
  const token = secretRef(agent.token);
  const databases: Record<string, string> = {};
  for (const [from, to] of Object.entries(record(target.databases))) if (typeof to === 'string') databases[from] = to;
  return {
    plan: typeof plan.name === 'string' ? plan.name : planName,
    agent: typeof agent.url === 'string' && token ? { url: agent.url, token } : null,
    target:
      typeof target.host === 'string'
        ? {
            host: target.host,
            port: typeof target.port === 'number' ? target.port : 5432,
            user: typeof admin.name === 'string' ? admin.name : 'postgres',
            password: secretRef(admin.password),
            ssl: target.ssl_mode !== undefined && target.ssl_mode !== 'none',
          }
        : null,
    databases,
    source: null,
    sequenceMargin: typeof sequences.margin === 'number' ? sequences.margin : 0,
    region: typeof record(plan.dms).region === 'string' ? (record(plan.dms).region as string) : null,
    timeouts: timeoutsOf(cutover.timeouts),
  };
}

/** Parses `postgres://user@host:port` (no password: passwords come from references only). */
export function dbAccessFromUrl(url: string, password: SecretRef | null): DbAccess {
  const parsed = new URL(url);
  if (parsed.password !== '')
    throw new Error(`connection URL ${parsed.host}: put the password in a secret reference, not in the URL`);
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password,
    ssl: parsed.searchParams.get('sslmode') !== null && parsed.searchParams.get('sslmode') !== 'disable',
  };
}
