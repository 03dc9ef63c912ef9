// Reading node inputs. The graph is plain JSON, so every read states the type it expects and says
// which node and field are wrong when the compiled graph does not match.

import type { GraphNode } from '../contracts/graph.js';
import { NodeFailure } from './types.js';

export type Input = Readonly<Record<string, unknown>>;

export function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function requireString(node: GraphNode, input: Input, ...keys: string[]): string {
  for (const key of keys) {
    const value = optionalString(input, key);
    if (value !== undefined) return value;
  }
  throw new NodeFailure(`node ${node.id} (${node.kind}): input needs a string '${keys.join("' or '")}'`);
}

export function optionalNumber(input: Input, key: string): number | undefined {
  const value = input[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

export function optionalRecord(input: Input, key: string): Input | undefined {
  const value = input[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined;
}

export function stringList(input: Input, key: string): string[] {
  const value = input[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The text of a compiled artifact a node names. */
export function artifactText(node: GraphNode, artifacts: ReadonlyMap<string, string>, path: string): string {
  const text = artifacts.get(path);
  if (text === undefined) {
    throw new NodeFailure(`node ${node.id} (${node.kind}): artifact ${path} is not in the compiled output`);
  }
  return text;
}
