// `pgferry graph <plan>`: the verified execution graph as Mermaid (default), Graphviz dot, JSON, or
// an SVG/PNG picture drawn by Graphviz's `dot` when it is installed.

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { toDot, toMermaid } from '../../compiler/graph/render.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { ExecutionGraph } from '../../contracts/graph.js';
import { defineCommand, flag, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { absolutePath, compileArgument, renderFor } from '../plan-input.js';

const FORMATS = ['mermaid', 'dot', 'json', 'svg', 'png'] as const;
type GraphFormat = (typeof FORMATS)[number];

/** Runs `dot -T<format>`; rejects with a UsageError when Graphviz is not on PATH. */
function runDot(dotSource: string, format: 'svg' | 'png', path: string | undefined): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('dot', [`-T${format}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: path ? { PATH: path } : undefined,
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new UsageError(
              `--format ${format} needs Graphviz's \`dot\` on PATH; install graphviz, or use --format dot|mermaid|json`,
            )
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(chunks));
      else reject(new Error(`dot exited with ${code}: ${Buffer.concat(errors).toString('utf8').trim()}`));
    });
    child.stdin.end(dotSource);
  });
}

async function renderGraph(
  graph: ExecutionGraph,
  format: GraphFormat,
  pathEnv: string | undefined,
): Promise<string | Buffer> {
  if (format === 'json') return canonicalJson(graph);
  if (format === 'mermaid') return toMermaid(graph);
  if (format === 'dot') return toDot(graph);
  return runDot(toDot(graph), format, pathEnv);
}

export const command = defineCommand({
  name: 'graph',
  synopsis: '<plan.yaml> [--format mermaid|dot|json|svg|png] [-o file]',
  description: `Prints the plan's verified execution graph. svg and png need Graphviz's \`dot\` on PATH; png is
binary, so it needs -o.`,
  flags: { out: flag.string('FILE', 'write there instead of stdout', { short: 'o' }) },
  output: { formats: FORMATS, default: 'mermaid', env: 'PGFERRY_GRAPH_FORMAT' },
  positionals: { min: 1, max: 1, missing: 'give exactly one plan' },
  examples: ['pgferry graph plans/orders.yaml', 'pgferry graph plans/shop-cdc.yaml --format svg -o graph.svg'],
  run: async ({ flags, positionals, format }, io) => {
    if (format === 'png' && !flags.out) throw new UsageError('--format png writes binary: give -o <file>');
    const planPath = positionals[0]!;
    const { result, text } = await compileArgument(io, planPath);
    if (result.graph === null) {
      io.stderr(renderFor(io, result.diagnostics, 'text', new Map([[planPath, text]])));
      io.stderr(`${planPath}: the plan has errors; no graph\n`);
      return EXIT.failed;
    }
    const rendered = await renderGraph(result.graph, format, io.env.PATH);
    const content = typeof rendered === 'string' && !rendered.endsWith('\n') ? `${rendered}\n` : rendered;
    if (flags.out) await writeFile(absolutePath(io, flags.out), content);
    else io.stdout(typeof content === 'string' ? content : content.toString('utf8'));
    return EXIT.ok;
  },
});
