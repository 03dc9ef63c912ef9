// A replication engine adds the nodes that move the data and provides the engine-neutral
// `replication.<task>.*` facts (facts.ts); source, target and cutover nodes only ever require those.
// build-graph.ts picks the engine from `plan.engine` and calls these hooks at fixed points.

import type { NodeInput } from '../../../contracts/node-inputs.js';
import type { Task } from '../../model/plan.js';
import type { GraphBuilder } from '../builder.js';

export interface ReplicationEngine {
  /** Before any task: DMS secrets, replication instance and endpoints; nothing for logical replication. */
  setup(b: GraphBuilder): void;
  /**
   * Per task: nodes providing `replication.<task>.ready` (the downtime gate waits on it),
   * `.started` (after the target is prepared, and after the fence on downtime databases) and
   * `.full-load-complete` (when the task copies data).
   */
  tasks(b: GraphBuilder): void;
  /** Input of a CDC task's lag wait before the fence. */
  lagWait(b: GraphBuilder, task: Task): NodeInput<'CdcLagWait'>;
  /** The slot the cutover marker wait watches: a name or an `@ref` to the node that learns it. */
  slot(task: Task): string;
  /**
   * Cutover of one source database, once its target is restored (`restored`): stop replicating the
   * database's tasks (`replication.<task>.stopped`). `downtime`: the database had no CDC task.
   * Returns the facts the writes-open gate waits for.
   */
  stop(b: GraphBuilder, sourceDb: string, restored: string, downtime: boolean): string[];
  /** After writes-open: delete what the engine created (DMS resources); may add nothing. */
  cleanup(b: GraphBuilder): void;
}
