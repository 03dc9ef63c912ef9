// Assembles an agent from its config: secrets, tokens, the PostgreSQL connection, the state directory,
// start-up recovery, then the fastify app. `startAgent` is what `pgferry agent` runs.

import { readFile } from 'node:fs/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { FastifyInstance } from 'fastify';
import { pauseAtFromEnv } from './apply/checkpoint.js';
import { type RecoveryReport, recoverInterrupted } from './apply/recover.js';
import { loadTokens } from './auth.js';
import { ConfigError, locate } from './config/load-config.js';
import type { AgentConfig } from './config/types.js';
import { type AgentContext, newCounters } from './context.js';
import { createDb } from './pg/db.js';
import { createSecretResolver } from './secrets.js';
import { type BuildOptions, buildApp } from './server.js';
import { StateDir } from './state/state-dir.js';

export interface AgentDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly ssmClient?: SSMClient;
  readonly secretsManagerClient?: SecretsManagerClient;
}

export interface Agent {
  readonly ctx: AgentContext;
  readonly app: FastifyInstance;
  readonly recovery: RecoveryReport;
  close(): Promise<void>;
}

export async function createAgent(config: AgentConfig, deps: AgentDeps = {}, build: BuildOptions = {}): Promise<Agent> {
  const secrets = createSecretResolver(config.aws, deps.env ?? process.env, deps.ssmClient, deps.secretsManagerClient);
  const tokens = await loadTokens(config.tokens, secrets, (pointer) => locate(config, pointer));
  const password = config.postgres.password
    ? await secrets.resolve(config.postgres.password, 'the PostgreSQL connection')
    : undefined;
  const { host, port, user, database, connectTimeoutMs } = config.postgres;
  const db = createDb({
    host,
    port,
    user,
    database,
    connectTimeoutMs,
    ...(password === undefined ? {} : { password }),
  });
  const state = new StateDir(config.stateDir);
  const stateProblem = await state.init();
  if (stateProblem) throw new ConfigError([`${locate(config, '/stateDir')}: ${stateProblem}`]);
  const ctx: AgentContext = {
    config,
    db,
    state,
    secrets,
    tokens,
    plans: new Map(),
    counters: newCounters(),
    startedAt: Date.now(),
    observedInactive: new Map(),
    pauseAt: pauseAtFromEnv(deps.env ?? process.env),
  };
  const recovery = await recoverInterrupted(ctx);
  let https = build.https ?? null;
  if (!https && config.tls) {
    https = {
      cert: await readFile(config.tls.cert),
      key: await readFile(config.tls.key),
      minVersion: 'TLSv1.2',
      ...(config.tls.clientCa
        ? { ca: await readFile(config.tls.clientCa), requestCert: true, rejectUnauthorized: true }
        : {}),
    };
  }
  const app = buildApp(ctx, { ...build, https });
  await app.ready();
  return {
    ctx,
    app,
    recovery,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
