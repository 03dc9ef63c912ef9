// A `pgferry compile -o` directory is checked before the executor trusts it: the graph's format
// version is one this pgferry reads, every file matches its MANIFEST.json hash (and nothing is there
// that the manifest does not list), the manifest describes this graph, and the graph passes the
// compiler's own verification (PGF4xxx: edges its facts imply, gates on restart/destructive nodes, refs
// upstream, no cycle). A tampered or stale directory is refused, saying which file and what is wrong,
// before any node runs (docs/executor.md).

import { join } from 'node:path';
import { sha256 } from '../contracts/canonical-json.js';
import { type ExecutionGraph, GRAPH_FORMAT_VERSION } from '../contracts/graph.js';

export class CompiledDirRefused extends Error {
  constructor(dir: string, problems: readonly string[]) {
    super(
      `${dir}: refused, not a compiled directory this pgferry can trust:\n${problems.map((line) => `  ${line}`).join('\n')}\n` +
        `compile the plan again (pgferry compile PLAN -o ${dir}) rather than editing its output`,
    );
    this.name = 'CompiledDirRefused';
  }
}

const MANIFEST = 'MANIFEST.json';

function parseJson(dir: string, path: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${join(dir, path)}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** The manifest's problems: missing, changed and unlisted files, another plan's hash. */
function manifestProblems(dir: string, artifacts: ReadonlyMap<string, string>, graph: ExecutionGraph | null): string[] {
  const problems: string[] = [];
  const text = artifacts.get(MANIFEST);
  if (text === undefined) return [`${join(dir, MANIFEST)}: missing (every compiled directory has one)`];
  const manifest = parseJson(dir, MANIFEST, text, problems) as
    | { plan?: unknown; planHash?: unknown; files?: Record<string, unknown> }
    | undefined;
  if (manifest === undefined) return problems;
  const files = manifest.files ?? {};
  for (const [path, hash] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const content = artifacts.get(path);
    if (content === undefined) problems.push(`${join(dir, path)}: listed in ${MANIFEST} but missing`);
    else if (sha256(content) !== hash)
      problems.push(`${join(dir, path)}: changed since it was compiled (${MANIFEST} has ${String(hash)})`);
  }
  for (const path of artifacts.keys()) {
    if (path !== MANIFEST && !Object.hasOwn(files, path))
      problems.push(`${join(dir, path)}: not listed in ${MANIFEST}`);
  }
  if (graph !== null && manifest.planHash !== graph.planHash)
    problems.push(
      `${join(dir, MANIFEST)}: planHash ${String(manifest.planHash)} is not graph.json's ${graph.planHash} (files from two compiles)`,
    );
  return problems;
}

/** Checks a compiled directory's files; returns its graph, or throws CompiledDirRefused. */
export async function checkCompiledDir(dir: string, artifacts: ReadonlyMap<string, string>): Promise<ExecutionGraph> {
  const problems: string[] = [];
  const graphText = artifacts.get('graph.json');
  if (graphText === undefined) throw new Error(`${dir}: no graph.json (is this a 'pgferry compile -o' directory?)`);
  const parsed = parseJson(dir, 'graph.json', graphText, problems) as ExecutionGraph | undefined;
  const graph = parsed !== undefined && parsed !== null && typeof parsed === 'object' ? parsed : null;
  if (graph !== null && graph.formatVersion !== GRAPH_FORMAT_VERSION) {
    problems.push(
      `${join(dir, 'graph.json')}: formatVersion ${JSON.stringify(graph.formatVersion)}, this pgferry reads ${GRAPH_FORMAT_VERSION}`,
    );
  }
  problems.push(...manifestProblems(dir, artifacts, graph));
  if (graph !== null && Array.isArray(graph.nodes) && Array.isArray(graph.edges)) {
    // Loaded lazily, like the compiler in load.ts: `status` never needs it.
    const { verifyGraph } = await import('../compiler/graph/verify-graph.js');
    for (const finding of verifyGraph(graph)) {
      problems.push(
        `${join(dir, 'graph.json')}: ${finding.code} ${finding.message}${finding.hint ? ` (${finding.hint})` : ''}`,
      );
    }
  } else if (graph !== null) problems.push(`${join(dir, 'graph.json')}: no nodes or edges array`);
  if (problems.length > 0) throw new CompiledDirRefused(dir, problems);
  return graph!;
}
