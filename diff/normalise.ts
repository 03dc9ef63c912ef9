// Artifacts are compared in a normal form, so a diff shows meaning and never layout: JSON with sorted
// keys and 2-space indent, and JSON that DMS takes as a string (TableMappings, ReplicationTaskSettings)
// expanded in place so a one-rule change is a one-line diff instead of one rewritten string.

import type { Artifact } from '../compiler/artifact.js';
import { canonicalJson } from '../contracts/canonical-json.js';
import { compareText } from '../contracts/compare.js';

/** Files derived from every other file: they change exactly when something else does. */
const DERIVED_ONLY = new Set(['MANIFEST.json']);

export function isReviewed(path: string): boolean {
  return !DERIVED_ONLY.has(path);
}

function parseEmbeddedJson(text: string): unknown {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces strings that hold a JSON object or array with the parsed value, recursively. */
export function expandEmbeddedJson(value: unknown): unknown {
  if (typeof value === 'string') {
    const parsed = parseEmbeddedJson(value);
    return parsed === undefined ? value : expandEmbeddedJson(parsed);
  }
  if (Array.isArray(value)) return value.map(expandEmbeddedJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, expandEmbeddedJson(child)]));
  }
  return value;
}

function normaliseText(text: string): string {
  const unix = text.replace(/\r\n?/g, '\n');
  return unix.endsWith('\n') || unix === '' ? unix : `${unix}\n`;
}

export function normaliseContent(path: string, content: string): string {
  if (path.endsWith('.json')) {
    try {
      return canonicalJson(expandEmbeddedJson(JSON.parse(content)));
    } catch {
      // Not JSON after all: compare it as text rather than hide it.
    }
  }
  return normaliseText(content);
}

/** Reviewed artifacts by path, in normal form. */
export function normaliseArtifacts(artifacts: readonly Artifact[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const artifact of [...artifacts].sort((a, b) => compareText(a.path, b.path))) {
    if (isReviewed(artifact.path)) out.set(artifact.path, normaliseContent(artifact.path, artifact.content));
  }
  return out;
}

/** An artifact's JSON with embedded JSON strings expanded; null when it is not JSON. */
export function parseArtifactJson(text: string): unknown {
  try {
    return expandEmbeddedJson(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Reads a JSON artifact; null when it is absent or not JSON. */
export function readJsonArtifact(artifacts: readonly Artifact[], path: string): unknown {
  const artifact = artifacts.find((a) => a.path === path);
  return artifact === undefined ? null : parseArtifactJson(artifact.content);
}
