// Target database work over `pg`: the compiled SQL artifacts (prepare, post-load, FK restore) run in
// one transaction unless a statement forbids it, and the sequence sync at cutover.

import type pg from 'pg';
import { sha256 } from '../../contracts/canonical-json.js';
import type { CatalogSnapshot } from '../../contracts/catalog.js';
import type { GraphNode } from '../../contracts/graph.js';
import { artifactText, type Input, optionalNumber, optionalString, requireString } from '../inputs.js';
import { connect } from '../pg-connect.js';
import { applySequences, readSourceSequences, type SourceSequence, sequencesFromCatalog } from '../sequences.js';
import { needsAutocommit, splitSql } from '../sql-split.js';
import { type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';

function targetAccess(ctx: RunContext) {
  const access = ctx.deployment.target;
  if (!access) throw new NodeFailure('the plan names no target server (target.host)');
  return access;
}

function targetDatabase(node: GraphNode, input: Input, ctx: RunContext): string {
  const named = requireString(node, input, 'database', 'targetDatabase');
  return ctx.deployment.databases[named] ?? named;
}

function scriptOf(node: GraphNode, input: Input, ctx: RunContext): { text: string; path: string } {
  const inline = optionalString(input, 'statements') ?? optionalString(input, 'sqlText');
  if (inline !== undefined) return { text: inline, path: '(inline)' };
  const path = requireString(node, input, 'sql', 'artifact');
  return { text: artifactText(node, ctx.artifacts, path), path };
}

async function runScript(client: pg.Client, script: string): Promise<number> {
  const statements = splitSql(script);
  if (needsAutocommit(script)) {
    for (const statement of statements) await client.query(statement);
    return statements.length;
  }
  await client.query('BEGIN');
  try {
    await client.query(script);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return statements.length;
}

async function runArtifact(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const { text, path } = scriptOf(node, input, ctx);
  const database = targetDatabase(node, input, ctx);
  const client = await connect(ctx, targetAccess(ctx), database, 'target');
  try {
    const count = await runScript(client, text);
    return { status: 'succeeded', outputs: { database, script: path, statements: count, sha256: sha256(text) } };
  } catch (error) {
    throw new NodeFailure(`${path} failed on target database ${database}: ${ctx.redactor.messageOf(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function sourceSequences(node: GraphNode, input: Input, ctx: RunContext): Promise<SourceSequence[]> {
  const sourceDb = optionalString(input, 'sourceDatabase') ?? requireString(node, input, 'database');
  if (ctx.deployment.source) {
    const client = await connect(ctx, ctx.deployment.source, sourceDb, 'source');
    try {
      return await readSourceSequences(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const agent = await ctx.agent();
  const catalog = await agent.request<CatalogSnapshot>('GET', `/v1/catalog?databases=${encodeURIComponent(sourceDb)}`);
  return sequencesFromCatalog(catalog, sourceDb);
}

async function sequenceSync(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const margin = BigInt(Math.trunc(optionalNumber(input, 'margin') ?? ctx.deployment.sequenceMargin));
  const sequences = await sourceSequences(node, input, ctx);
  const database = targetDatabase(node, input, ctx);
  const client = await connect(ctx, targetAccess(ctx), database, 'target');
  try {
    const result = await applySequences(client, sequences, margin);
    const note =
      result.skipped.length > 0
        ? `skipped ${result.skipped.map((item) => `${item.sequence} (${item.reason})`).join(', ')}`
        : undefined;
    const outputs = { database, sequences: result.set.length, skipped: result.skipped.length, margin: Number(margin) };
    return note === undefined ? { status: 'succeeded', outputs } : { status: 'succeeded', outputs, note };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const targetSqlHandler: Handler = {
  async run(node, ctx) {
    const input = await ctx.resolve(node.input);
    switch (node.kind) {
      case 'TargetPrepare':
      case 'TargetPostLoad':
      case 'TargetFkRestore':
        return runArtifact(node, input, ctx);
      case 'TargetSequenceSync':
        return sequenceSync(node, input, ctx);
      default:
        throw new NodeFailure(`the target-sql executor does not run ${node.kind} (node ${node.id})`);
    }
  },
  async probe(node, ctx) {
    const client = await connect(ctx, targetAccess(ctx), targetDatabase(node, node.input, ctx), 'target');
    await client.end().catch(() => undefined);
    return { action: 'run', detail: `${node.title} (target reachable)` };
  },
};
