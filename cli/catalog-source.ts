// Where `pgferry catalog` and `pgferry init` read the source from: directly (--source URL, else the
// libpq environment PGHOST/PGPORT/PGUSER/PGDATABASE/PGSSLMODE; the password from --password-ref or
// PGPASSWORD, never from the URL), or through the agent named in a plan (--plan: its URL and token
// reference). Both end in catalog/reader.ts, so both give the same snapshot.

import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { CatalogReadError, explainPgError } from '../catalog/errors.js';
import { DEFAULT_LOB_SAMPLING, type LobSamplingOptions } from '../catalog/lob-sample.js';
import { readCatalog } from '../catalog/reader.js';
import { inSnapshotTransaction } from '../catalog/session.js';
import type { CatalogSnapshot } from '../contracts/catalog.js';
import { isSecretRef, parseSecretRef, type SecretRef } from '../contracts/secret-ref.js';
import { checkSnapshotFormat } from './catalog-file.js';
import { type FlagValues, flag } from './command.js';
import type { CliIo } from './io.js';

export class SourceOptionError extends Error {}

export interface SourceOptions {
  readonly source?: string | undefined;
  readonly passwordRef?: string | undefined;
  readonly plan?: string | undefined;
  readonly agentUrl?: string | undefined;
  readonly databases: readonly string[];
  readonly schemas: readonly string[];
  readonly lobSampling: LobSamplingOptions | null;
  readonly maxTables?: number | undefined;
}

export interface TakenSnapshot {
  readonly snapshot: CatalogSnapshot;
  /** Catalog statements sent, and how many of them sampled LOB sizes (direct path only; the agent counts its own). */
  readonly queries: { readonly total: number; readonly lobSampling: number } | null;
  /** Milliseconds per kind of statement (direct path only), shown with --debug. */
  readonly msByKind?: Readonly<Record<string, number>>;
  /** `postgres://user@host:port` or `agent https://…`, for messages. */
  readonly from: string;
}

/** The flags the two commands share (their usage is SOURCE_USAGE, grouped by what they choose). */
export const SOURCE_FLAGS = {
  source: flag.string('URL', 'connect directly: postgres://USER@HOST:PORT/DB (no password in the URL)'),
  'password-ref': flag.string('REF', 'env:NAME, ssm:/path or secretsManager:name[#field] (else PGPASSWORD)'),
  plan: flag.string('PLAN.yaml', "read through the plan's agent (source.agent url and token reference)"),
  'agent-url': flag.string('URL', "the agent's URL instead of the plan's"),
  database: flag.list('NAME', "a database to read (default: all but postgres and templates; with --plan the plan's)"),
  schema: flag.list('NAME', 'a schema to read (default: every non-system schema)'),
  'lob-rows': flag.count('N', `LOB sizes: at most N rows per table (default ${DEFAULT_LOB_SAMPLING.rowCap})`, 1),
  'lob-tables': flag.count('N', `LOB sizes: the N largest tables (default ${DEFAULT_LOB_SAMPLING.maxTables})`, 1),
  'no-lob': flag.boolean('do not measure LOB sizes'),
  'max-tables': flag.count('N', 'refuse a database with more relations (default 100000)', 1),
} as const;

export const SOURCE_USAGE = `The source is --source URL, else --plan PLAN.yaml (through its agent), else the libpq environment
(PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE). The password comes from --password-ref, else PGPASSWORD.`;

export function sourceOptionsFrom(values: FlagValues<typeof SOURCE_FLAGS>): SourceOptions {
  if (values.source !== undefined && values.plan !== undefined) {
    throw new SourceOptionError('give --source or --plan, not both');
  }
  const rowCap = values['lob-rows'];
  const maxTables = values['lob-tables'];
  return {
    source: values.source,
    passwordRef: values['password-ref'],
    plan: values.plan,
    agentUrl: values['agent-url'],
    databases: values.database ?? [],
    schemas: values.schema ?? [],
    lobSampling:
      values['no-lob'] === true
        ? null
        : {
            ...DEFAULT_LOB_SAMPLING,
            ...(rowCap === undefined ? {} : { rowCap }),
            ...(maxTables === undefined ? {} : { maxTables }),
          },
    maxTables: values['max-tables'],
  };
}

async function resolveSecret(ref: SecretRef, io: CliIo): Promise<string> {
  if ('env' in ref) {
    const value = io.env[ref.env];
    if (value === undefined || value === '') throw new SourceOptionError(`secret env:${ref.env} is not set`);
    return value;
  }
  // The AWS SDK loads only when a reference needs it.
  const [{ SSMClient }, { SecretResolver }, { Redactor }, { realSleep }, { secretsManagerClients }] = await Promise.all(
    [
      import('@aws-sdk/client-ssm'),
      import('../executor/secrets.js'),
      import('../executor/redact.js'),
      import('../contracts/retry.js'),
      import('../secrets/secrets-manager.js'),
    ],
  );
  const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const resolver = new SecretResolver(
    new SSMClient(region ? { region } : {}),
    new Redactor(),
    realSleep,
    io.env,
    secretsManagerClients(region ? { region } : {}),
  );
  return resolver.get(ref);
}

interface DirectConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly ssl: false | { rejectUnauthorized: boolean };
}

function directConfig(url: string | undefined, env: CliIo['env']): DirectConfig {
  const sslOf = (mode: string | undefined) =>
    mode === undefined || mode === 'disable' || mode === 'allow' || mode === 'prefer'
      ? (false as const)
      : { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' };
  if (url === undefined) {
    const user = env.PGUSER ?? env.USER ?? 'postgres';
    return {
      host: env.PGHOST ?? 'localhost',
      port: Number(env.PGPORT ?? 5432),
      user,
      database: env.PGDATABASE ?? 'postgres',
      ssl: sslOf(env.PGSSLMODE),
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceOptionError(`--source is not a URL: expected postgres://USER@HOST:PORT/DB`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new SourceOptionError(`--source must be a postgres:// URL, not ${parsed.protocol}`);
  }
  if (parsed.password !== '') {
    throw new SourceOptionError(
      '--source carries a password: remove it from the URL and use --password-ref or PGPASSWORD (URLs end up in shell history and process lists)',
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: decodeURIComponent(parsed.hostname) || env.PGHOST || 'localhost',
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || env.PGUSER || 'postgres',
    database: database || 'postgres',
    ssl: sslOf(parsed.searchParams.get('sslmode') ?? env.PGSSLMODE),
  };
}

async function readDirect(io: CliIo, options: SourceOptions): Promise<TakenSnapshot> {
  const config = directConfig(options.source, io.env);
  const ref = options.passwordRef === undefined ? undefined : parseSecretRef(options.passwordRef);
  if (options.passwordRef !== undefined && ref === undefined) {
    throw new SourceOptionError(
      `--password-ref '${options.passwordRef}' is not env:NAME, ssm:/path or secretsManager:name`,
    );
  }
  const password = ref ? await resolveSecret(ref, io) : io.env.PGPASSWORD;
  const address = `${config.host}:${config.port}`;
  const read = await readCatalog(
    {
      async withSession(database, fn) {
        const where = { address, user: config.user, database: database ?? config.database };
        const client = new pg.Client({
          host: config.host,
          port: config.port,
          user: config.user,
          database: where.database,
          ...(password === undefined ? {} : { password }),
          ssl: config.ssl,
          connectionTimeoutMillis: 10_000,
          application_name: 'pgferry-catalog',
          statement_timeout: 120_000,
        } as pg.ClientConfig);
        client.on('error', () => undefined);
        try {
          await client.connect();
          return await inSnapshotTransaction(client, fn);
        } catch (error) {
          throw explainPgError(error, where);
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    },
    {
      databases: options.databases.length > 0 ? options.databases : null,
      schemas: options.schemas.length > 0 ? options.schemas : null,
      lobSampling: options.lobSampling,
      ...(options.maxTables === undefined ? {} : { maxTables: options.maxTables }),
    },
  );
  const lobSampling = read.queriesByKind['lob-sample'] ?? 0;
  return {
    snapshot: read.snapshot,
    msByKind: read.msByKind,
    queries: { total: read.queries, lobSampling },
    from: `postgres://${config.user}@${address}`,
  };
}

interface PlanAgent {
  readonly url: string;
  readonly token: SecretRef;
  readonly databases: readonly string[];
}

async function planAgent(io: CliIo, planPath: string, absolute: string): Promise<PlanAgent> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(absolute, 'utf8'));
  } catch (error) {
    throw new SourceOptionError(
      `cannot read plan ${planPath}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const source = (doc as { source?: { agent?: { url?: unknown; token?: unknown }; databases?: unknown } })?.source;
  const agent = source?.agent;
  if (typeof agent?.url !== 'string' || !isSecretRef(agent.token)) {
    throw new SourceOptionError(
      `${planPath} names no agent: add source.agent with url and a token reference, or read the source directly with --source`,
    );
  }
  const databases = Array.isArray(source?.databases) ? source.databases.filter((d) => typeof d === 'string') : [];
  void io;
  return { url: agent.url, token: agent.token, databases };
}

async function readThroughAgent(io: CliIo, options: SourceOptions, absolutePlan: string): Promise<TakenSnapshot> {
  const agent = await planAgent(io, options.plan!, absolutePlan);
  const url = options.agentUrl ?? agent.url;
  const token = await resolveSecret(agent.token, io);
  const query = new URLSearchParams();
  const databases = options.databases.length > 0 ? options.databases : agent.databases;
  if (databases.length > 0) query.set('databases', databases.join(','));
  if (options.schemas.length > 0) query.set('schemas', options.schemas.join(','));
  if (options.lobSampling === null) query.set('lob', 'off');
  else {
    query.set('lobRows', String(options.lobSampling.rowCap));
    query.set('lobTables', String(options.lobSampling.maxTables));
  }
  if (options.maxTables !== undefined) query.set('maxTables', String(options.maxTables));
  const { httpAgentClient } = await import('../executor/agent-client.js');
  let body: unknown;
  try {
    body = await httpAgentClient(url, token).call('catalog', { query: Object.fromEntries(query) });
  } catch (error) {
    throw new CatalogReadError(error instanceof Error ? error.message : String(error));
  }
  const snapshot = checkSnapshotFormat(body, `the catalog served by the agent at ${url}`);
  return { snapshot, queries: null, from: `agent ${url}` };
}

/** Reads a snapshot the way the options say; every failure is a CatalogReadError or SourceOptionError. */
export async function takeSnapshot(io: CliIo, options: SourceOptions, absolutePlan?: string): Promise<TakenSnapshot> {
  if (options.plan !== undefined) return readThroughAgent(io, options, absolutePlan ?? options.plan);
  return readDirect(io, options);
}
