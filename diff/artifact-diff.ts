// Per-artifact unified diffs of the normalised compiled output. An artifact that exists on one side
// only is diffed against the empty file, like `git diff` shows a new file.

import { createTwoFilesPatch } from 'diff';
import type { Artifact } from '../compiler/artifact.js';
import { normaliseArtifacts } from './normalise.js';

export type ArtifactStatus = 'added' | 'removed' | 'changed';

export interface ArtifactChange {
  readonly path: string;
  readonly status: ArtifactStatus;
  /** Unified diff with `a/<path>` and `b/<path>` headers (`/dev/null` for a missing side). */
  readonly patch: string;
  readonly additions: number;
  readonly deletions: number;
}

function countLines(patch: string, marker: '+' | '-'): number {
  return patch.split('\n').filter((line) => line.startsWith(marker) && !line.startsWith(`${marker}${marker}${marker} `))
    .length;
}

function unifiedDiff(path: string, status: ArtifactStatus, before: string, after: string): string {
  const from = status === 'added' ? '/dev/null' : `a/${path}`;
  const to = status === 'removed' ? '/dev/null' : `b/${path}`;
  const patch = createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 });
  // Drop the `Index:`/`===` preamble: reviewers know git's format.
  return patch
    .split('\n')
    .filter((line, index) => !(index < 2 && (line.startsWith('Index:') || line.startsWith('==='))))
    .join('\n');
}

export function diffArtifacts(oldArtifacts: readonly Artifact[], newArtifacts: readonly Artifact[]): ArtifactChange[] {
  const before = normaliseArtifacts(oldArtifacts);
  const after = normaliseArtifacts(newArtifacts);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ArtifactChange[] = [];
  for (const path of paths) {
    const oldText = before.get(path);
    const newText = after.get(path);
    if (oldText === newText) continue;
    const status: ArtifactStatus = oldText === undefined ? 'added' : newText === undefined ? 'removed' : 'changed';
    const patch = unifiedDiff(path, status, oldText ?? '', newText ?? '');
    changes.push({
      path,
      status,
      patch,
      additions: countLines(patch, '+'),
      deletions: countLines(patch, '-'),
    });
  }
  return changes;
}
