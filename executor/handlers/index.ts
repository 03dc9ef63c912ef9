// One handler per executor kind. Typed Record<ExecutorKind, Handler>: a new executor kind without a
// handler does not compile. A logical-replication engine adds its node kinds to these handlers (or a
// new executor kind here) without touching the engine.

import type { HandlerRegistry } from '../types.js';
import { agentHandler } from './agent.js';
import { dmsHandler } from './dms.js';
import { gateHandler } from './gate.js';
import { ssmHandler } from './ssm.js';
import { targetSqlHandler } from './target-sql.js';
import { waitHandler } from './wait.js';

export const handlers: HandlerRegistry = {
  agent: agentHandler,
  'target-sql': targetSqlHandler,
  dms: dmsHandler,
  ssm: ssmHandler,
  gate: gateHandler,
  wait: waitHandler,
};
