// The graph builder's workbench, shared by the engine-neutral part (build-graph.ts) and the replication
// engines (engines/*.ts): it collects nodes with their facts and derives executor and effect from the
// kind. Inputs are typed per kind (contracts/node-inputs.ts).

import type { Compensation, GraphNode, NodeKind, Phase } from '../../contracts/graph.js';
import type { AgentAccessInput, NodeInput, PgConnectionInput, SecretString } from '../../contracts/node-inputs.js';
import { type SecretRef, secretPlaceholder } from '../../contracts/secret-ref.js';
import { buildSourceBundle } from '../emit/source-bundle.js';
import type { ServerCapacity } from '../knowledge/server-capacity.js';
import { nodeId } from '../model/node-ids.js';
import type { Plan, Task } from '../model/plan.js';
import { fact } from './facts.js';
import { EFFECT, EXECUTOR } from './kinds.js';

export interface NodeSpec<K extends NodeKind> {
  readonly id: string;
  readonly kind: K;
  readonly phase: Phase;
  readonly title: string;
  readonly requires: readonly string[];
  readonly provides: readonly string[];
  readonly input: NodeInput<K>;
  readonly origin: string;
  readonly gate?: string;
  readonly compensation?: Compensation;
  readonly finally?: boolean;
  readonly idempotencyKey?: string;
}

export function secret(ref: SecretRef): SecretString {
  return secretPlaceholder(ref) as SecretString;
}

export function compensation<K extends NodeKind>(kind: K, title: string, input: NodeInput<K>): Compensation {
  return { kind, title, input: input as unknown as Record<string, unknown> };
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly bundle;
  readonly agent: AgentAccessInput;

  constructor(
    readonly plan: Plan,
    capacity: ServerCapacity | null = null,
  ) {
    this.bundle = buildSourceBundle(plan, capacity);
    this.agent = { url: plan.source.agent.url, token: secret(plan.source.agent.token) };
  }

  add<K extends NodeKind>(spec: NodeSpec<K>): void {
    const gate = spec.gate ?? null;
    const requires = gate === null ? spec.requires : [...spec.requires, fact.gateApproved(gate)];
    this.nodes.push({
      id: spec.id,
      kind: spec.kind,
      executor: EXECUTOR[spec.kind],
      effect: EFFECT[spec.kind],
      phase: spec.phase,
      title: spec.title,
      requires: [...new Set(requires)],
      provides: [...new Set(spec.provides)],
      idempotencyKey: spec.idempotencyKey ?? `${this.plan.name}/${spec.id}`,
      input: spec.input as unknown as Record<string, unknown>,
      compensation: spec.compensation ?? null,
      finally: spec.finally ?? false,
      gate,
      origin: spec.origin,
    });
  }

  /** Adds a fact a node already in the builder requires (a concern that slots in before it). */
  requireBefore(id: string, required: string): void {
    const index = this.nodes.findIndex((node) => node.id === id);
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`requireBefore: no node ${id}`);
    if (!node.requires.includes(required)) this.nodes[index] = { ...node, requires: [...node.requires, required] };
  }

  gate(name: string, phase: Phase, prompt: string, requires: readonly string[], origin: string): void {
    this.add({
      id: nodeId.gate(name),
      kind: 'ManualGate',
      phase,
      title: `Approval: ${name}`,
      requires,
      provides: [fact.gateApproved(name)],
      input: { gate: name, prompt },
      origin,
    });
  }

  targetConnection(database: string): PgConnectionInput {
    const { target } = this.plan;
    return {
      host: target.host,
      port: target.port,
      database,
      user: target.admin_user.name,
      password: secret(target.admin_user.password),
      sslMode: target.ssl_mode,
    };
  }

  sourceConnection(database: string): PgConnectionInput {
    const { source } = this.plan;
    return {
      host: source.host,
      port: source.port,
      database,
      user: source.migration_user.name,
      password: secret(source.migration_user.password),
      sslMode: source.ssl ? 'require' : 'none',
    };
  }

  taskIndex(task: Task): number {
    return this.plan.dms.tasks.indexOf(task);
  }
}
