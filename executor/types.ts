// The executor's moving parts, as types: a handler per ExecutorKind, the context a handler sees and
// what it answers. A second engine (PostgreSQL logical replication) plugs in by adding node kinds to
// the handler of the executor that runs them; the engine itself never looks at node kinds.

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Compensation, ExecutionGraph, ExecutorKind, GraphNode } from '../contracts/graph.js';
import type { Sleeper } from '../contracts/retry.js';
import type { AgentClient } from './agent-client.js';
import type { CatalogReview } from './catalog-review.js';
import type { DbAccess, Deployment } from './deployment.js';
import type { TaskHolds } from './dms/task-holds.js';
import type { Redactor } from './redact.js';

export type NodeOutputs = Readonly<Record<string, string | number | boolean | null>>;

export type NodeResult =
  | { readonly status: 'succeeded'; readonly outputs: NodeOutputs; readonly note?: string }
  | { readonly status: 'waiting-gate'; readonly gate: string };

/** Everything a handler may use; tests inject fakes for each. */
export interface RunContext {
  readonly graph: ExecutionGraph;
  /** Compiled artifacts by path (`target/orders/prepare.sql` → text). */
  readonly artifacts: ReadonlyMap<string, string>;
  readonly deployment: Deployment;
  readonly dms: DatabaseMigrationServiceClient;
  /** Amazon RDS: the target's parameter group (fk_strategy parameter_group). */
  readonly rds: RDSClient;
  readonly ssm: SSMClient;
  /** Read only: DMS's CDC latency metrics for the lag gate and status. */
  readonly cloudwatch: CloudWatchClient;
  /** The agent a node names (`input.agent`, resolved), else the plan's; `--agent-url` overrides the address. */
  agent(input?: Readonly<Record<string, unknown>>): Promise<AgentClient>;
  /** Address overrides from the command line. */
  readonly overrides: { readonly target: DbAccess | null; readonly source: DbAccess | null };
  /** A file named relative to the plan file (post_load_sql), or from the compiled output when present. */
  readPlanFile(path: string): Promise<string>;
  readonly redactor: Redactor;
  /** The directory holding this plan's journal; nodes keep their resumable progress there (verify). */
  readonly journalDir: string;
  readonly sleep: Sleeper;
  /** Poll interval for waiters, ms (0 in tests). */
  readonly pollMs: number;
  /** Upper bound on polls per waiter, so a stuck resource ends in a clear error. */
  readonly maxPolls: number;
  readonly now: () => Date;
  /** Version of an SSM parameter already read, for the journal. */
  secretVersion(parameter: string): number | null;
  /** Set by `apply --catalog`: the source preflight compares a fresh snapshot with the reviewed one. */
  readonly catalogReview?: CatalogReview;
  /** Resolve `@ref(...)` and `@secret(...)` placeholders anywhere in a value. */
  resolve<T>(value: T): Promise<T>;
  /** The node's idempotency key scoped to this run (the journal's run id), for requests that act. */
  runKey(node: GraphNode): string;
  /** How the operator named the plan (file, or `--compiled DIR`), for the commands messages print. */
  readonly planRef: string;
  /** Outputs recorded for an earlier node (or for this one, by an earlier attempt or recordOutputs). */
  outputsOf(nodeId: string): NodeOutputs | undefined;
  /**
   * Writes outputs of the running node to the journal now, before an action a retry must not repeat
   * blind (the value a parameter group had before pgferry changed it). A no-op outside a journal node.
   */
  recordOutputs(outputs: NodeOutputs): Promise<void>;
  /** Fields of an existing DMS resource a plan change altered, to modify in place ([] when none). */
  pendingModify(nodeId: string): readonly string[];
  /** Run-scoped: DMS tasks stopped for plan changes, so each is stopped and resumed once per run. */
  readonly dmsTaskHolds: TaskHolds;
  isGateApproved(gate: string): boolean;
  gateApproval(gate: string): { readonly approvedBy: string; readonly approvedAt: string } | undefined;
  log(line: string): void;
  /**
   * Records the latest observation of a wait in progress with the node (journal `progress`), for
   * `pgferry status`; the engine provides it, cleared when the node ends.
   */
  progress?(line: string): void;
}

export interface DryRunProbe {
  readonly action: 'create' | 'adopt' | 'modify' | 'run' | 'skip' | 'wait-gate';
  readonly detail: string;
}

export interface Handler {
  run(node: GraphNode, ctx: RunContext): Promise<NodeResult>;
  /** Read-only look at what `run` would do (for `apply --dry-run`). */
  probe?(node: GraphNode, ctx: RunContext): Promise<DryRunProbe>;
  /** Undo for abort; must be idempotent (a second call finds nothing to undo). */
  compensate?(compensation: Compensation, node: GraphNode, ctx: RunContext): Promise<string>;
}

export type HandlerRegistry = Readonly<Record<ExecutorKind, Handler>>;

export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'NodeFailure';
  }
}
