// For tests that call the logical engine's handlers directly: a graph node of one kind, the direct
// connection input to a test cluster's `app` database, and the slice of a RunContext those handlers use.

import type { GraphNode, NodeKind } from '../../contracts/graph.js';
import { executorOfKind } from '../../executor/kinds.js';
import { Redactor } from '../../executor/redact.js';
import type { RunContext } from '../../executor/types.js';
import type { PgCluster } from '../support/pg-cluster.js';

export function connection(cluster: PgCluster) {
  return { host: '127.0.0.1', port: cluster.port, database: 'app', user: 'postgres', password: '', sslMode: 'none' };
}

export function node(kind: NodeKind, input: Record<string, unknown>): GraphNode {
  return {
    id: `logical.t.${kind}`,
    kind,
    executor: executorOfKind[kind],
    effect: 'write',
    phase: 'load',
    title: kind,
    requires: [],
    provides: [],
    idempotencyKey: kind,
    input,
    compensation: null,
    finally: false,
    gate: null,
    origin: '/',
  };
}

/** Placeholders are already resolved in these inputs; waits poll `maxPolls` times, `pollMs` apart. */
export function unitContext(polls: { pollMs: number; maxPolls: number } = { pollMs: 50, maxPolls: 3 }): RunContext {
  return {
    deployment: {
      plan: 'logical-unit',
      agent: null,
      target: null,
      databases: {},
      source: null,
      sequenceMargin: 0,
      region: null,
    },
    overrides: { target: null, source: null },
    redactor: new Redactor(),
    resolve: async <T>(value: T) => value,
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: () => undefined,
    ...polls,
  } as unknown as RunContext;
}
