// `pgferry graph <plan>`: the verified execution graph as Mermaid (default), Graphviz dot, JSON, or
// an SVG/PNG picture drawn by Graphviz's `dot` when it is installed.

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { toDot, toMermaid } from '../../compiler/graph/render.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { ExecutionGraph } from '../../contracts/graph.js';
import { type CliCommand, EXIT } from '../io.js';
import { absolutePath, compileArgument, parseFormat, renderFor, UsageError, withUsage } from './validate.js';

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

const USAGE = `usage: pgferry graph <plan.yaml> [--format mermaid|dot|json|svg|png] [-o file]

Prints the plan's verified execution graph. svg and png need Graphviz's \`dot\` on PATH; png is
binary, so it needs -o. Environment: PGFERRY_GRAPH_FORMAT.

Example:
  pgferry graph plans/orders.yaml
  pgferry graph plans/shop-cdc.yaml --format svg -o graph.svg
`;

export const command: CliCommand = (args, io) =>
  withUsage(io, 'graph', USAGE, args, async () => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        out: { type: 'string', short: 'o' },
        debug: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one plan', true);
    const format = parseFormat(values.format ?? io.env.PGFERRY_GRAPH_FORMAT, FORMATS, 'mermaid');
    if (format === 'png' && !values.out) throw new UsageError('--format png writes binary: give -o <file>');
    const planPath = positionals[0]!;
    const { result, text } = await compileArgument(io, planPath);
    if (result.graph === null) {
      io.stderr(renderFor(io, result.diagnostics, 'text', new Map([[planPath, text]])));
      io.stderr(`${planPath}: the plan has errors; no graph\n`);
      return EXIT.failed;
    }
    const rendered = await renderGraph(result.graph, format, io.env.PATH);
    const content = typeof rendered === 'string' && !rendered.endsWith('\n') ? `${rendered}\n` : rendered;
    if (values.out) await writeFile(absolutePath(io, values.out), content);
    else io.stdout(typeof content === 'string' ? content : content.toString('utf8'));
    return EXIT.ok;
  });
