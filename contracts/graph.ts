// The verified execution graph: the only thing the compiler and the executor share (`graph.json`).
// Plain JSON data, frozen, deterministic. Order falls out of facts: node B depends on node A when B
// requires a fact that A provides. Edges are derived from that, never written by hand.
//
// Engine neutrality: source, target and cutover nodes require abstract replication facts
// (`replication.<task>.started`, `.full-load-complete`, `.caught-up`, `.stopped`), which the DMS
// nodes provide for `engine: dms`, and the Logical* nodes (publication/subscription) for `engine: logical`,
// with no change to the rest of the graph.

export const GRAPH_FORMAT_VERSION = 1;

/** Who runs a node. A registry typed Record<ExecutorKind, …> makes a missing handler a compile error. */
export type ExecutorKind = 'agent' | 'source-sql' | 'target-sql' | 'dms' | 'rds' | 'ssm' | 'gate' | 'wait' | 'verify';

/** Anything beyond `write` sits behind a consent gate. */
export type Effect = 'read' | 'write' | 'restart' | 'destructive';

export type Phase = 'prepare' | 'load' | 'cutover' | 'cleanup';

export type NodeKind =
  // secrets
  | 'SsmParameterResolve'
  // source host, through the agent
  | 'SourcePreflight'
  | 'SourceConfigApply'
  | 'SourceRestart'
  | 'SourceRoleEnsure'
  | 'SourceWriteFence'
  | 'SourceWriteUnfence'
  | 'SourceMarkerWrite'
  | 'SourceSlotCreate'
  | 'SourceSlotDrop'
  // PostgreSQL logical replication (engine: logical): publication on the source, subscription on the target
  | 'LogicalPublicationCreate'
  | 'LogicalPublicationDrop'
  | 'LogicalSubscriptionCreate'
  | 'LogicalSyncWait'
  | 'LogicalSubscriptionDrop'
  // target database, over pg
  | 'TargetPrepare'
  | 'TargetPostLoad'
  | 'TargetSequenceSync'
  | 'TargetFkRestore'
  // Amazon RDS / Aurora: the target's parameter group (fk_strategy parameter_group)
  | 'RdsParameterGroupApply'
  | 'RdsParameterGroupRevert'
  // data verification, both databases read-only (verify/)
  | 'DataVerify'
  // AWS DMS
  | 'DmsReplicationInstanceCreate'
  | 'DmsEndpointCreate'
  | 'DmsConnectionTest'
  | 'DmsTaskCreate'
  | 'DmsTaskStart'
  | 'DmsFullLoadWait'
  | 'DmsAssessmentRun'
  | 'DmsTaskStop'
  | 'DmsTaskDelete'
  | 'DmsEndpointDelete'
  | 'DmsReplicationInstanceDelete'
  | 'DmsCertificateImport'
  | 'DmsCertificateDelete'
  // AWS DMS Serverless: one replication config per task instead of an instance and tasks
  | 'DmsReplicationConfigCreate'
  | 'DmsReplicationStart'
  | 'DmsReplicationFullLoadWait'
  | 'DmsReplicationStop'
  | 'DmsReplicationConfigDelete'
  // waits and gates
  | 'CdcLagWait'
  | 'MarkerWait'
  | 'ManualGate';

export interface GraphNode {
  /** Stable dotted id derived from plan names: `dms.task.orders-cdc.start`. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly executor: ExecutorKind;
  readonly effect: Effect;
  readonly phase: Phase;
  /** One line for people: progress output and the Mermaid picture. */
  readonly title: string;
  /** Facts that must hold before the node runs, e.g. `source.wal_level=logical`. */
  readonly requires: readonly string[];
  /** Facts that hold once the node succeeded. */
  readonly provides: readonly string[];
  /** Same key, same effect: the executor adopts instead of repeating (ids, resource identifiers). */
  readonly idempotencyKey: string;
  /**
   * The exact payload: a DMS API input, SQL text, an agent request, a gate name. Run-time values are
   * placeholders: `@ref(<node id>#<output>)` for outputs of earlier nodes (ARNs),
   * `@secret(ssm:/path)` for secrets. Artifacts named here live under the compiled output directory.
   */
  readonly input: Readonly<Record<string, unknown>>;
  /** Undo that must run on abort (drop the slot, stop the task, unfence, revert target settings). */
  readonly compensation: Compensation | null;
  /** Finalisers (slot drop) run on success and on abort. */
  readonly finally: boolean;
  /** For nodes behind a manual gate: the gate's name (`restart-consent`, `cutover`). */
  readonly gate: string | null;
  /** JSON Pointer of the plan object that caused the node. */
  readonly origin: string;
}

export interface Compensation {
  readonly kind: NodeKind;
  readonly title: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The fact that makes the dependency (the first, when several). */
  readonly fact: string;
}

export interface ExecutionGraph {
  readonly formatVersion: typeof GRAPH_FORMAT_VERSION;
  readonly plan: string;
  /** sha256 of the normalised plan, `sha256:<hex>`. */
  readonly planHash: string;
  readonly engine: 'dms' | 'logical';
  /** Stable topological order, ties broken by id. */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}
