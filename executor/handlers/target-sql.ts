// Target database work over `pg`: the compiled SQL artifacts (prepare, post-load with the plan's SQL
// files, FK restore) run in one transaction unless a statement forbids it, and the sequence sync at
// cutover (read on the source, setval on the target at value + margin, owned or not).

import type pg from 'pg';
import { sha256 } from '../../contracts/canonical-json.js';
import type { GraphNode } from '../../contracts/graph.js';
import { artifactText, type Input, optionalNumber, optionalRecord, optionalString, stringList } from '../inputs.js';
import { connect, connectionFor } from '../pg-connect.js';
import { applySequences, readSourceSequences, type SourceSequence, sequencesFromCatalog } from '../sequences.js';
import { needsAutocommit, splitSql } from '../sql-split.js';
import { type Handler, NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { succeeded } from './by-kind.js';

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

/** The scripts a node runs, in order: plan SQL files first (post-load), then the compiled artifact. */
async function scriptsOf(node: GraphNode, input: Input, ctx: RunContext): Promise<{ path: string; text: string }[]> {
  const scripts: { path: string; text: string }[] = [];
  for (const file of stringList(input, 'files')) {
    try {
      scripts.push({ path: file, text: await ctx.readPlanFile(file) });
    } catch (error) {
      throw new NodeFailure(
        `node ${node.id}: cannot read ${file} (relative to the plan): ${ctx.redactor.messageOf(error)}`,
      );
    }
  }
  const inline = optionalString(input, 'statements');
  if (inline !== undefined) scripts.push({ path: '(inline)', text: inline });
  const artifact = optionalString(input, 'sql');
  if (artifact !== undefined) scripts.push({ path: artifact, text: artifactText(node, ctx.artifacts, artifact) });
  return scripts;
}

function databaseHint(input: Input): string | undefined {
  return optionalString(input, 'database') ?? optionalString(input, 'sourceDatabase');
}

async function runArtifacts(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const scripts = await scriptsOf(node, input, ctx);
  const target = await connectionFor(ctx, input, 'connection', databaseHint(input));
  const client = await connect(ctx, target, 'target');
  let count = 0;
  try {
    for (const script of scripts) {
      try {
        count += await runScript(client, script.text);
      } catch (error) {
        throw new NodeFailure(
          `${script.path} failed on target database ${target.database}: ${ctx.redactor.messageOf(error)}`,
        );
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  const outputs = {
    database: target.database,
    scripts: scripts.map((script) => script.path).join(','),
    statements: count,
    sha256: sha256(scripts.map((script) => script.text).join('\n')),
  };
  return succeeded(outputs);
}

interface SequenceRow {
  readonly schema: string;
  readonly name: string;
  readonly last_value: string | null;
}

/** Source sequence values: the node's readSql on a direct source connection, else the agent's catalog. */
async function sourceSequences(node: GraphNode, input: Input, ctx: RunContext): Promise<SequenceRow[]> {
  const sourceInput = optionalRecord(input, 'source');
  const sourceDb =
    optionalString(sourceInput ?? {}, 'database') ?? optionalString(input, 'sourceDatabase') ?? databaseHint(input);
  if (sourceInput || ctx.overrides.source || ctx.deployment.source) {
    const source = await connectionFor(ctx, input, 'source', sourceDb);
    const client = await connect(ctx, source, 'source');
    try {
      const readSql = optionalString(input, 'readSql');
      if (readSql !== undefined) {
        const result = await client.query<{
          schema: string;
          name: string;
          last_value: string | null;
          is_called?: boolean;
        }>(readSql);
        return result.rows.map((row) => ({
          schema: row.schema,
          name: row.name,
          last_value: row.is_called === false ? null : row.last_value === null ? null : String(row.last_value),
        }));
      }
      return (await readSourceSequences(client)).map(toRow);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (sourceDb === undefined) throw new NodeFailure(`node ${node.id}: no source database to read sequences from`);
  const agent = await ctx.agent(input);
  const catalog = await agent.call('catalog', { query: { databases: sourceDb } });
  return sequencesFromCatalog(catalog, sourceDb).map(toRow);
}

const toRow = (seq: SourceSequence): SequenceRow => ({ schema: seq.schema, name: seq.name, last_value: seq.lastValue });

async function sequenceSync(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const rows = await sourceSequences(node, input, ctx);
  const target = await connectionFor(ctx, input, 'connection', databaseHint(input));
  const client = await connect(ctx, target, 'target');
  try {
    const artifact = optionalString(input, 'sql');
    if (artifact !== undefined) {
      // The compiled SQL adds the margin and skips sequences the target lacks; one row per sequence set.
      const text = artifactText(node, ctx.artifacts, artifact);
      await client.query('BEGIN');
      try {
        const result = await client.query(text, [JSON.stringify(rows)]);
        await client.query('COMMIT');
        const set = result.rowCount ?? 0;
        return {
          status: 'succeeded',
          outputs: { database: target.database, sequences: set, skipped: rows.length - set },
        };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new NodeFailure(
          `${artifact} failed on target database ${target.database}: ${ctx.redactor.messageOf(error)}`,
        );
      }
    }
    const margin = BigInt(Math.trunc(optionalNumber(input, 'margin') ?? ctx.deployment.sequenceMargin));
    const result = await applySequences(
      client,
      rows.map((row) => ({ schema: row.schema, name: row.name, lastValue: row.last_value })),
      margin,
    );
    const outputs = { database: target.database, sequences: result.set.length, skipped: result.skipped.length };
    const note = result.skipped.length
      ? `skipped ${result.skipped.map((item) => `${item.sequence} (${item.reason})`).join(', ')}`
      : undefined;
    return succeeded(outputs, note);
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
        return runArtifacts(node, input, ctx);
      case 'TargetSequenceSync':
        return sequenceSync(node, input, ctx);
      default:
        throw new NodeFailure(`the target-sql executor does not run ${node.kind} (node ${node.id})`);
    }
  },
  async probe(node, ctx) {
    const target = await connectionFor(ctx, await ctx.resolve(node.input), 'connection', databaseHint(node.input));
    const client = await connect(ctx, target, 'target');
    await client.end().catch(() => undefined);
    return {
      action: 'run',
      detail: `${node.title} (target ${target.host}:${target.port}/${target.database} reachable)`,
    };
  },
};
