// The agent's configuration after loading: every default filled in, secrets not yet resolved.

import type { SCOPES } from './schema.js';

export type Scope = (typeof SCOPES)[number];

export type SecretSource = { readonly file: string } | { readonly env: string } | { readonly ssm: string };

export interface TokenConfig {
  readonly id: string;
  readonly scopes: readonly Scope[];
  readonly secret: SecretSource;
}

export interface AgentConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls: { readonly cert: string; readonly key: string; readonly clientCa?: string } | null;
  readonly allowRoot: boolean;
  readonly allowPlainHttpOnNonLoopback: boolean;
  readonly aws: { readonly region?: string; readonly endpoint?: string };
  readonly tokens: readonly TokenConfig[];
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly database: string;
    readonly password?: SecretSource;
    readonly connectTimeoutMs: number;
  };
  readonly paths: { readonly hbaFile?: string; readonly dataDirectory?: string; readonly serverLog?: string };
  readonly restart: {
    readonly allowed: boolean;
    readonly command: readonly string[];
    readonly timeoutSeconds: number;
  } | null;
  readonly stateDir: string;
  readonly slots: { readonly dropPrefixes: readonly string[] };
  readonly settingsAllowList: readonly string[];
  readonly hbaPolicy: { readonly allowMd5: boolean; readonly allowAnyAddress: boolean };
  readonly limits: { readonly bodyBytes: number; readonly planTtlSeconds: number; readonly mutationsPerMinute: number };
  readonly cache: { readonly slotsMs: number };
  /** The YAML file and where some keys are in it (`/stateDir`, `/tokens/0/secret`): `file:line:col`. */
  readonly source?: { readonly file: string; readonly at: Readonly<Record<string, string>> };
}

/** GUCs a bundle may touch unless the config narrows or widens the list (reference/agent.md §2.3). */
export const DEFAULT_SETTINGS_ALLOW_LIST = [
  'hot_standby_feedback',
  'idle_in_transaction_session_timeout',
  'logical_decoding_work_mem',
  'max_replication_slots',
  'max_slot_wal_keep_size',
  'max_wal_senders',
  'max_worker_processes',
  'shared_preload_libraries',
  // ssl = on for hostssl rules; a server that cannot load its certificate fails the verify and is rolled back.
  'ssl',
  'wal_keep_segments',
  'wal_keep_size',
  'wal_level',
  'wal_sender_timeout',
  'work_mem',
] as const;
