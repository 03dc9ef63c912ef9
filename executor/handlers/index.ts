// One handler per executor kind. Typed Record<ExecutorKind, Handler>: a new executor kind without a
// handler does not compile. The logical replication engine has its own `source-sql` executor and adds
// its target-side kinds and its wait to `target-sql` and `wait` (handlers/logical.ts).

import { assessmentRun } from '../dms/assessment.js';
import type { HandlerRegistry } from '../types.js';
import { agentHandler } from './agent.js';
import { dmsHandler } from './dms.js';
import { gateHandler } from './gate.js';
import { logicalTargetKinds, logicalWaitKinds, sourceSqlHandler, withKinds } from './logical.js';
import { rdsHandler } from './rds.js';
import { ssmHandler } from './ssm.js';
import { targetSqlHandler } from './target-sql.js';
import { verifyHandler } from './verify.js';
import { waitHandler } from './wait.js';

export const handlers: HandlerRegistry = {
  agent: agentHandler,
  'source-sql': sourceSqlHandler,
  'target-sql': withKinds(targetSqlHandler, logicalTargetKinds),
  // Premigration assessments (dms.assessment) join the DMS executor without touching handlers/dms.ts.
  dms: withKinds(dmsHandler, { DmsAssessmentRun: assessmentRun }),
  rds: rdsHandler,
  ssm: ssmHandler,
  gate: gateHandler,
  wait: withKinds(waitHandler, logicalWaitKinds),
  verify: verifyHandler,
};
