// Graph verification codes (PGF4xxx). A graph built from a valid plan never trips these; they guard
// the builder against regressions and a hand-edited graph.json against being executed.

import { defineCode } from '../diagnostics/codes.js';

export const graphCycle = defineCode({
  code: 'PGF4001',
  name: 'graph-cycle',
  severity: 'error',
  title: 'The execution graph has a cycle',
  explanation:
    'Nodes that wait for each other can never run. Each node lists the facts it requires and provides; a cycle means two nodes require what the other provides.',
});

export const graphDuplicateId = defineCode({
  code: 'PGF4002',
  name: 'graph-duplicate-id',
  severity: 'error',
  title: 'Two graph nodes share an id',
  explanation:
    'Node ids key the journal and the idempotency of every step; two nodes with one id would adopt each other’s results. Ids come from plan names: check for duplicate task, database or endpoint names.',
});

export const graphMissingFact = defineCode({
  code: 'PGF4003',
  name: 'graph-missing-fact',
  severity: 'error',
  title: 'A node requires a fact no node provides',
  explanation:
    'The node would wait forever. Every required fact must be provided by exactly one node, except approvals (`gate.*`), which may come from outside the run.',
});

export const graphAmbiguousFact = defineCode({
  code: 'PGF4004',
  name: 'graph-ambiguous-fact',
  severity: 'error',
  title: 'A fact is provided by more than one node',
  explanation:
    'Which node makes the fact hold would depend on timing. Each fact has exactly one producer, so the order derived from facts is unambiguous.',
});

export const graphUngatedEffect = defineCode({
  code: 'PGF4005',
  name: 'graph-ungated-effect',
  severity: 'error',
  title: 'A restart or destructive node is not behind an approval gate',
  explanation:
    'Restarts of the source and destructive steps (dropping a slot, deleting DMS resources) run only after a person approved them: the node must name a gate and require `gate.<name>.approved`.',
});

export const graphDanglingRef = defineCode({
  code: 'PGF4006',
  name: 'graph-dangling-ref',
  severity: 'error',
  title: 'A run-time reference points at no upstream output',
  explanation:
    '`@ref(<node>#<output>)` placeholders are filled from outputs of nodes that already ran. The named node must be an ancestor and its kind must provide that output (contracts/node-inputs.ts).',
});

export const graphCdcBeforeLogical = defineCode({
  code: 'PGF4007',
  name: 'graph-cdc-before-logical',
  severity: 'error',
  title: 'A DMS step or slot creation of a CDC migration can run before wal_level=logical is in force',
  explanation:
    'With change data capture every DMS step and every slot creation must come after the source restart that makes `wal_level = logical` effective; otherwise the connection test passes and the task (or the slot) fails at start.',
});

export const graphTargetNotPrepared = defineCode({
  code: 'PGF4008',
  name: 'graph-target-not-prepared',
  severity: 'error',
  title: 'A replication task can start before its target database is prepared',
  explanation:
    'Foreign keys and triggers must be neutralised on the target before the full load begins, or tables loaded out of order fail.',
});

export const graphSlotDropBeforeStop = defineCode({
  code: 'PGF4009',
  name: 'graph-slot-drop-before-stop',
  severity: 'error',
  title: 'A replication slot can be dropped before its task stopped',
  explanation:
    'Dropping the slot of a running task breaks the task and loses changes. The drop must come after the step that provides `replication.<task>.stopped`.',
});

export const graphSequencesOutsideFence = defineCode({
  code: 'PGF4010',
  name: 'graph-sequences-outside-fence',
  severity: 'error',
  title: 'Sequence sync is not between the write fence and opening writes',
  explanation:
    'Sequence values read while the source still takes writes are stale at once; sync them after the fence and before the target takes writes.',
});

export const graphEdgesMismatch = defineCode({
  code: 'PGF4011',
  name: 'graph-edges-mismatch',
  severity: 'error',
  title: 'The graph’s edges are not the ones its facts imply',
  explanation:
    'Edges are derived from requires/provides, never written by hand; a graph.json whose edges differ was edited.',
});

export const graphLogicalSourceTooOld = defineCode({
  code: 'PGF4012',
  name: 'graph-logical-source-too-old',
  severity: 'error',
  title: 'Engine logical needs a source on PostgreSQL 10 or later',
  explanation:
    'The logical engine publishes the source tables (CREATE PUBLICATION) and subscribes the target to them; publications and subscriptions exist from PostgreSQL 10 on. For a 9.x source use `engine: dms`, which decodes the WAL with test_decoding or pglogical.',
});

export const graphLogicalSchemaNotPreCreated = defineCode({
  code: 'PGF4013',
  name: 'graph-logical-schema-not-pre-created',
  severity: 'error',
  title: 'Engine logical needs the target schema pre-created',
  explanation:
    'Logical replication copies rows, never DDL: every published table must already exist on the target when the subscription is created. Restore the pre-data schema on the target (pg_dump --schema-only --section=pre-data) and set `target.schema_objects.strategy: pre_created`.',
});
