// Fact names. Nodes say which facts they require and provide; edges are derived from these strings,
// so every name is built here. `replication.<task>.*` facts are the engine-neutral seam: whatever
// replication engine runs a task provides them, and nothing outside that engine requires anything else.

export const fact = {
  secretAvailable: (ref: string) => `secret.${ref}.available`,
  sourcePreflightOk: 'source.preflight-ok',
  sourceRoleExists: (role: string) => `source.role.${role}.exists`,
  sourceConfigApplied: 'source.config.applied',
  sourceConfigEffective: 'source.config.effective',
  walLevelLogical: 'source.wal_level=logical',
  gateApproved: (gate: string) => `gate.${gate}.approved`,
  targetPrepared: (db: string) => `target.${db}.prepared`,
  targetPostLoaded: (db: string) => `target.${db}.post-loaded`,
  targetSequencesSynced: (db: string) => `target.${db}.sequences-synced`,
  targetCutoverSqlDone: (db: string) => `target.${db}.cutover-sql-done`,
  targetFkRestored: (db: string) => `target.${db}.fk-restored`,
  targetVerified: (db: string) => `target.${db}.verified`,
  instanceAvailable: (id: string) => `dms.instance.${id}.available`,
  instanceDeleted: (id: string) => `dms.instance.${id}.deleted`,
  endpointCreated: (id: string) => `dms.endpoint.${id}.created`,
  endpointReachable: (id: string) => `dms.endpoint.${id}.reachable`,
  endpointDeleted: (id: string) => `dms.endpoint.${id}.deleted`,
  taskCreated: (id: string) => `dms.task.${id}.created`,
  taskDeleted: (id: string) => `dms.task.${id}.deleted`,
  certificateImported: (id: string) => `dms.certificate.${id}.imported`,
  certificateDeleted: (id: string) => `dms.certificate.${id}.deleted`,
  slotCreated: (task: string) => `source.slot.${task}.created`,
  slotDropped: (task: string) => `source.slot.${task}.dropped`,
  publicationCreated: (task: string) => `source.publication.${task}.created`,
  publicationDropped: (task: string) => `source.publication.${task}.dropped`,
  writesFenced: (db: string) => `source.${db}.writes-fenced`,
  markerWritten: (task: string) => `source.${task}.marker-written`,
  replicationReady: (task: string) => `replication.${task}.ready`,
  replicationStarted: (task: string) => `replication.${task}.started`,
  replicationFullLoadComplete: (task: string) => `replication.${task}.full-load-complete`,
  replicationCaughtUp: (task: string) => `replication.${task}.caught-up`,
  replicationDrained: (task: string) => `replication.${task}.drained`,
  replicationStopped: (task: string) => `replication.${task}.stopped`,
} as const;

/** Facts nobody in the graph has to provide (reserved for approvals recorded outside the run). */
export const EXTERNAL_FACT_PREFIXES: readonly string[] = ['gate.'];
