// One executor session over one plan: the compiled graph, where things are, the SDK clients, the
// journal and its lock, and the per-node context handlers see.

import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Plan } from '../compiler/model/plan.js';
import type { GraphNode } from '../contracts/graph.js';
import { realSleep, type Sleeper } from '../contracts/retry.js';
import { parseSecretRef, type SecretRef } from '../contracts/secret-ref.js';
import { secretsManagerClients } from '../secrets/secrets-manager.js';
import { type AgentClient, type AgentTls, httpAgentClient } from './agent-client.js';
import { catalogReview, type ReviewedCatalog } from './catalog-review.js';
import { type DbAccess, type Deployment, dbAccessFromUrl, deploymentFromPlan } from './deployment.js';
import { TaskHolds } from './dms/task-holds.js';
import {
  adoptGraph,
  graphDrift,
  graphHash,
  type Journal,
  journalPath,
  newJournal,
  readJournal,
  removeStrayTemps,
  runIdOf,
  writeJournal,
} from './journal.js';
import { type Compiled, compileInProcess, loadCompiledDir } from './load.js';
import { acquireLock, type HeldLock } from './lock.js';
import { removePendingApprovals, takePendingApprovals } from './pending-approvals.js';
import { resolvePlaceholders } from './placeholders.js';
import { Redactor } from './redact.js';
import { SecretResolver } from './secrets.js';
import type { NodeOutputs, RunContext } from './types.js';

export interface ExecutorOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly planFile?: string;
  readonly compiledDir?: string;
  /** Already compiled (tests). */
  readonly compiled?: Compiled;
  readonly stateDir?: string;
  readonly region?: string;
  readonly dmsEndpoint?: string;
  readonly rdsEndpoint?: string;
  readonly ssmEndpoint?: string;
  /** CloudWatch (DMS's CDC latency metrics), e.g. a VPC endpoint or a local stand-in. */
  readonly cloudwatchEndpoint?: string;
  readonly secretsManagerEndpoint?: string;
  readonly dms?: DatabaseMigrationServiceClient;
  readonly rds?: RDSClient;
  readonly ssm?: SSMClient;
  readonly cloudwatch?: CloudWatchClient;
  /** Injected (tests): serves every region. */
  readonly secretsManager?: SecretsManagerClient;
  readonly agentClient?: (url: string, token: string, tls?: AgentTls) => AgentClient;
  readonly agentUrl?: string;
  /** Files for mTLS to the agent: client certificate and key, and the CA of the agent's certificate. */
  readonly agentCert?: string;
  readonly agentKey?: string;
  readonly agentCa?: string;
  readonly targetUrl?: string;
  readonly sourceUrl?: string;
  /** Secret reference for the direct source connection's password (`ssm:/path`, `secretsManager:name`, `env:NAME`). */
  readonly sourcePassword?: string;
  readonly sleep?: Sleeper;
  readonly pollMs?: number;
  readonly maxPolls?: number;
  readonly now?: () => Date;
  readonly parallelism?: number;
  readonly allowPlanChange?: boolean;
  /**
   * The catalog snapshot the plan was reviewed against (`apply --catalog`): the source preflight reads a
   * fresh one through the agent and reports, or blocks on, what changed since.
   */
  readonly reviewedCatalog?: ReviewedCatalog;
  readonly log?: (line: string) => void;
}

export class PlanChangedError extends Error {
  constructor(
    readonly nodes: readonly string[],
    readonly reasons: Readonly<Record<string, string>> = {},
  ) {
    super(
      `the compiled plan changed since the journal was written, in nodes that already ran:\n` +
        nodes.map((id) => (reasons[id] ? `  ${id}: ${reasons[id]}` : `  ${id}`)).join('\n') +
        `\nrevert the plan, or abort this run first (pgferry abort), or pass --allow-plan-change if you know why`,
    );
    this.name = 'PlanChangedError';
  }
}

/** What a changed plan does to this run. */
export interface PlanChange {
  /** Nodes that had not run and now run with their new definition. */
  readonly changed: readonly string[];
  /** Nodes that ran and changed, run again because of --allow-plan-change. */
  readonly rerun: readonly string[];
  /** Existing DMS resources modified in place, with the fields that changed. */
  readonly modifying: readonly { readonly id: string; readonly fields: readonly string[] }[];
}

function secretOrNull(text: string | undefined): SecretRef | null {
  if (text === undefined || text === '' || text === 'none') return null;
  const ref = parseSecretRef(text);
  if (!ref) throw new Error(`'${text}' is not a secret reference (ssm:/path, secretsManager:name-or-arn or env:NAME)`);
  return ref;
}

export class Session {
  readonly redactor = new Redactor();
  readonly secrets: SecretResolver;
  readonly dms: DatabaseMigrationServiceClient;
  readonly rds: RDSClient;
  readonly ssm: SSMClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sleep: Sleeper;
  readonly now: () => Date;
  readonly journalFile: string;
  journal: Journal;
  readonly #agents = new Map<string, Promise<AgentClient>>();
  readonly #dmsTaskHolds = new TaskHolds();
  #saving: Promise<void> = Promise.resolve();
  readonly overrides: { readonly target: DbAccess | null; readonly source: DbAccess | null };

  private constructor(
    readonly options: ExecutorOptions,
    readonly compiled: Compiled,
    readonly deployment: Deployment,
    journal: Journal | null,
    journalFile: string,
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? (() => new Date());
    const region = options.region ?? deployment.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
    this.dms =
      options.dms ??
      new DatabaseMigrationServiceClient({
        ...(region ? { region } : {}),
        ...(options.dmsEndpoint ? { endpoint: options.dmsEndpoint } : {}),
      });
    this.rds =
      options.rds ??
      new RDSClient({
        ...(region ? { region } : {}),
        ...(options.rdsEndpoint ? { endpoint: options.rdsEndpoint } : {}),
      });
    this.ssm =
      options.ssm ??
      new SSMClient({
        ...(region ? { region } : {}),
        ...(options.ssmEndpoint ? { endpoint: options.ssmEndpoint } : {}),
      });
    this.cloudwatch =
      options.cloudwatch ??
      new CloudWatchClient({
        ...(region ? { region } : {}),
        ...(options.cloudwatchEndpoint ? { endpoint: options.cloudwatchEndpoint } : {}),
      });
    const secretsManager = secretsManagerClients({
      ...(region ? { region } : {}),
      ...(options.secretsManagerEndpoint ? { endpoint: options.secretsManagerEndpoint } : {}),
      ...(options.secretsManager ? { client: options.secretsManager } : {}),
    });
    this.secrets = new SecretResolver(this.ssm, this.redactor, this.sleep, options.env, secretsManager);
    this.journalFile = journalFile;
    this.journal = journal ?? newJournal(compiled.graph, this.now());
    this.overrides = {
      target: options.targetUrl ? dbAccessFromUrl(options.targetUrl, null) : null,
      source: options.sourceUrl ? dbAccessFromUrl(options.sourceUrl, secretOrNull(options.sourcePassword)) : null,
    };
  }

  static async open(options: ExecutorOptions): Promise<Session> {
    const compiled =
      options.compiled ??
      (options.compiledDir !== undefined
        ? await loadCompiledDir(resolve(options.cwd, options.compiledDir))
        : options.planFile !== undefined
          ? await compileInProcess(resolve(options.cwd, options.planFile))
          : null);
    if (compiled === null) throw new Error('name a plan file, or a compiled directory with --compiled DIR');
    let deployment = deploymentFromPlan(compiled.plan, compiled.graph.plan);
    deployment = {
      ...deployment,
      ...(options.agentUrl && deployment.agent ? { agent: { ...deployment.agent, url: options.agentUrl } } : {}),
      ...(options.targetUrl ? { target: dbAccessFromUrl(options.targetUrl, deployment.target?.password ?? null) } : {}),
      ...(options.sourceUrl
        ? { source: dbAccessFromUrl(options.sourceUrl, secretOrNull(options.sourcePassword)) }
        : {}),
    };
    const base =
      options.stateDir !== undefined
        ? resolve(options.cwd, options.stateDir)
        : options.planFile !== undefined
          ? join(dirname(resolve(options.cwd, options.planFile)), '.pgferry')
          : join(options.cwd, '.pgferry');
    const file = journalPath(base, compiled.graph.plan);
    const journal = await readJournal(file);
    return new Session(options, compiled, deployment, journal, file);
  }

  get plan(): string {
    return this.compiled.graph.plan;
  }

  /** How the operator named the plan, for commands printed back: the file, or `--compiled DIR`. */
  get planRef(): string {
    if (this.options.planFile !== undefined) return this.options.planFile;
    if (this.options.compiledDir !== undefined) return `--compiled ${this.options.compiledDir}`;
    return this.plan;
  }

  /**
   * Refuses a changed plan when the change touches nodes that already ran, unless those are DMS
   * resources DMS can modify in place (they run again and modify); adopts it otherwise.
   */
  checkDrift(): PlanChange {
    if (this.journal.graphHash === graphHash(this.compiled.graph)) return { changed: [], rerun: [], modifying: [] };
    const drift = graphDrift(this.journal, this.compiled.graph);
    if (drift.blocking.length > 0 && !this.options.allowPlanChange)
      throw new PlanChangedError(drift.blocking, drift.reasons);
    adoptGraph(this.journal, this.compiled.graph);
    return { changed: drift.harmless, rerun: drift.blocking, modifying: drift.modifiable };
  }

  /**
   * Writes the journal. Writes are queued one after the other (the engine's and a handler's
   * recordOutputs may ask at once); each writes the journal as it is when its turn comes.
   */
  save(): Promise<void> {
    const write = () => writeJournal(this.journalFile, this.journal);
    this.#saving = this.#saving.then(write, write);
    return this.#saving;
  }

  /** The run lock; once held, temp files a killed writer left next to the journal are removed. */
  async lock(): Promise<HeldLock> {
    const held = await acquireLock(`${this.journalFile}.lock`, this.now());
    try {
      for (const name of await removeStrayTemps(this.journalFile))
        this.options.log?.(`removed ${name}, a temp file a killed run left next to the journal`);
    } catch (error) {
      await held.release();
      throw error;
    }
    return held;
  }

  /** Re-reads the journal (after taking the lock, another run may have moved it). */
  async reload(): Promise<void> {
    this.journal = (await readJournal(this.journalFile)) ?? this.journal;
    // Approvals given while another command held the lock (`pgferry approve` during a long load).
    const approvals = await takePendingApprovals(this.journalFile, this.journal);
    if (approvals.length > 0) {
      await this.save();
      await removePendingApprovals(approvals);
    }
  }

  /** The agent named by a node's resolved input, else the plan's; `--agent-url` replaces the address. */
  async agent(input?: Readonly<Record<string, unknown>>): Promise<AgentClient> {
    const named = input?.agent as { url?: unknown; token?: unknown } | undefined;
    let url: string;
    let token: Promise<string>;
    if (
      named &&
      typeof named.url === 'string' &&
      typeof named.token === 'string' &&
      !named.token.startsWith('@secret(')
    ) {
      url = named.url;
      token = Promise.resolve(named.token);
    } else if (this.deployment.agent) {
      url = this.deployment.agent.url;
      token = this.secrets.get(this.deployment.agent.token);
    } else {
      throw new Error('no agent for the source: the node names none; add source.agent (url and token) to the plan');
    }
    const address = this.options.agentUrl ?? url;
    const secret = await token;
    const key = `${address}\u0000${secret}`;
    let client = this.#agents.get(key);
    if (!client) {
      const factory = this.options.agentClient ?? httpAgentClient;
      client = this.agentTls().then((tls) => factory(address, secret, tls));
      this.#agents.set(key, client);
    }
    return client;
  }

  /** The mTLS material named by --agent-cert/--agent-key/--agent-ca, read once; undefined when none. */
  async agentTls(): Promise<AgentTls | undefined> {
    const { agentCert, agentKey, agentCa } = this.options;
    if (agentCert === undefined && agentKey === undefined && agentCa === undefined) return undefined;
    if ((agentCert === undefined) !== (agentKey === undefined)) {
      throw new Error('--agent-cert and --agent-key go together: the client certificate and its private key');
    }
    const read = async (file: string | undefined, what: string) => {
      if (file === undefined) return undefined;
      try {
        return await readFile(resolve(this.options.cwd, file));
      } catch (error) {
        throw new Error(`cannot read the agent ${what} ${file}: ${(error as Error).message}`);
      }
    };
    const [cert, key, ca] = await Promise.all([
      read(agentCert, 'client certificate'),
      read(agentKey, 'client key'),
      read(agentCa, 'CA certificate'),
    ]);
    return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
  }

  async readPlanFile(path: string): Promise<string> {
    const compiled = this.compiled.artifacts.get(path);
    if (compiled !== undefined) return compiled;
    const base = this.options.planFile
      ? dirname(resolve(this.options.cwd, this.options.planFile))
      : resolve(this.options.cwd, this.options.compiledDir ?? '.');
    return readFile(resolve(base, path), 'utf8');
  }

  outputsOf(nodeId: string): NodeOutputs | undefined {
    return this.journal.nodes[nodeId]?.outputs;
  }

  context(node: GraphNode | null): RunContext {
    const log = this.options.log ?? (() => undefined);
    return {
      graph: this.compiled.graph,
      artifacts: this.compiled.artifacts,
      deployment: this.deployment,
      dms: this.dms,
      rds: this.rds,
      ssm: this.ssm,
      cloudwatch: this.cloudwatch,
      agent: (input) => this.agent(input),
      overrides: this.overrides,
      readPlanFile: (path) => this.readPlanFile(path),
      redactor: this.redactor,
      journalDir: dirname(this.journalFile),
      sleep: this.sleep,
      pollMs: this.options.pollMs ?? 15_000,
      maxPolls: this.options.maxPolls ?? 2_880,
      now: this.now,
      secretVersion: (parameter) => this.secrets.versionOf(parameter),
      ...(this.options.reviewedCatalog
        ? { catalogReview: catalogReview(this.compiled.plan as Plan, this.options.reviewedCatalog) }
        : {}),
      resolve: (value) => resolvePlaceholders(value, (id) => this.outputsOf(id), this.secrets),
      outputsOf: (id) => this.outputsOf(id),
      recordOutputs: async (outputs) => {
        const record = node ? this.journal.nodes[node.id] : undefined;
        if (!record) return;
        record.outputs = { ...record.outputs, ...outputs };
        await this.save();
      },
      planRef: this.planRef,
      runKey: (keyed) => `${keyed.idempotencyKey}@run:${runIdOf(this.journal)}`,
      pendingModify: (id) => this.journal.nodes[id]?.modify ?? [],
      dmsTaskHolds: this.#dmsTaskHolds,
      isGateApproved: (gate) => this.journal.gates[gate] !== undefined,
      gateApproval: (gate) => this.journal.gates[gate],
      log: (line) => log(this.redactor.redact(node ? `${node.id}: ${line}` : line)),
    };
  }
}
