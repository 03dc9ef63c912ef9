// Which changes to an already-created DMS resource DMS can apply in place (ModifyReplicationTask,
// ModifyEndpoint, ModifyReplicationInstance) and which need the resource re-created. The journal keeps
// a hash per input field of these nodes, so a plan change after a run can be classified field by field.

import { hashJson } from '../../contracts/canonical-json.js';
import { type DmsResourceKind, memberChange } from '../../contracts/dms-mutability.js';
import type { GraphNode, NodeKind } from '../../contracts/graph.js';

/** The DMS resource each create node makes; only these nodes' changes are classified. */
const RESOURCE_KIND: Partial<Record<NodeKind, DmsResourceKind>> = {
  DmsTaskCreate: 'task',
  DmsEndpointCreate: 'endpoint',
  DmsReplicationInstanceCreate: 'replication-instance',
  // DMS Serverless: ModifyReplicationConfig takes the whole ComputeConfig, the endpoints, mappings and settings.
  DmsReplicationConfigCreate: 'replication-config',
};

/**
 * Whether DMS changes this member of the node's create request in place: with its Modify… call, or the
 * tag calls for Tags. Derived from the SDK's types in contracts/dms-mutability.ts, which `pgferry diff`
 * uses too; input members outside the request (`input.<name>`) are never modifiable.
 */
export function isModifiableField(kind: NodeKind, field: string): boolean {
  const resource = RESOURCE_KIND[kind];
  return resource !== undefined && !field.startsWith('input.') && memberChange(resource, field) !== 'replace';
}

/** Input members outside `request` that only name where the request came from. */
const BOOKKEEPING_INPUT_FIELDS = new Set([
  'input.artifact',
  'input.tableMappings',
  'input.taskSettings',
  'input.replicationSettings',
]);

const RESOURCE_WORDS: Partial<Record<NodeKind, string>> = {
  DmsTaskCreate: 'replication task',
  DmsEndpointCreate: 'endpoint',
  DmsReplicationInstanceCreate: 'replication instance',
  DmsReplicationConfigCreate: 'Serverless replication config',
};

const isModifiableKind = (kind: NodeKind): boolean => RESOURCE_KIND[kind] !== undefined;

/** A hash per field: request members by name, other input members as `input.<name>`. */
export function fieldHashes(node: GraphNode): Record<string, string> | undefined {
  if (!isModifiableKind(node.kind)) return undefined;
  const out: Record<string, string> = {};
  const input = node.input as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (key === 'request' && typeof value === 'object' && value !== null) {
      // An undefined member is absent from the JSON the graph is written as.
      for (const [field, member] of Object.entries(value as Record<string, unknown>))
        if (member !== undefined) out[field] = hashJson(member);
    } else if (value !== undefined) out[`input.${key}`] = hashJson(value);
  }
  return out;
}

function changedFields(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]).sort();
}

export type ChangeVerdict =
  | { readonly modifiable: true; readonly fields: readonly string[] }
  | { readonly modifiable: false; readonly reason: string };

/** Whether the changed fields of a node that already ran can be applied with a Modify* call. */
export function classifyChange(node: GraphNode, previous: Readonly<Record<string, string>> | undefined): ChangeVerdict {
  const now = fieldHashes(node);
  if (!now) return { modifiable: false, reason: '' };
  const what = RESOURCE_WORDS[node.kind] ?? 'resource';
  if (previous === undefined)
    return {
      modifiable: false,
      reason: `the journal predates per-field tracking; cannot tell what changed in the ${what}`,
    };
  const fields = changedFields(previous, now).filter((field) => !BOOKKEEPING_INPUT_FIELDS.has(field));
  const fixed = fields.filter((field) => !isModifiableField(node.kind, field));
  if (fixed.length > 0) {
    return {
      modifiable: false,
      reason: `${fixed.join(', ')} changed, which DMS cannot modify in place: the ${what} must be re-created (pgferry abort, then pgferry cleanup, or delete it, then apply with a fresh state directory)`,
    };
  }
  return { modifiable: true, fields };
}
