// The graph of an engine-logical plan: no DMS and no SSM nodes, the same engine-neutral facts and
// cutover nodes as DMS, and verification errors for what logical replication cannot do.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fact } from '../../compiler/graph/facts.js';
import { compilePlan } from '../../compiler/index.js';
import { NODE_OUTPUTS } from '../../contracts/node-inputs.js';

const FIXTURE = 'test/fixtures/front/rehearsal-local.yaml';
const text = readFileSync(FIXTURE, 'utf8');

async function compile(edit: (yaml: string) => string = (yaml) => yaml) {
  return compilePlan(FIXTURE, { text: edit(text) });
}

const errors = (result: Awaited<ReturnType<typeof compile>>) =>
  result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('engine logical graph', () => {
  it('has publication/subscription nodes instead of DMS and SSM ones', async () => {
    const result = await compile();
    expect(errors(result)).toEqual([]);
    const graph = result.graph!;
    expect(graph.engine).toBe('logical');
    const kinds = graph.nodes.map((node) => node.kind);
    expect(kinds.filter((kind) => kind.startsWith('Dms') || kind === 'SsmParameterResolve')).toEqual([]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'LogicalPublicationCreate',
        'LogicalSubscriptionCreate',
        'LogicalSyncWait',
        'LogicalSubscriptionDrop',
        'LogicalPublicationDrop',
        'CdcLagWait',
        'SourceWriteFence',
        'MarkerWait',
        'TargetSequenceSync',
      ]),
    );
    const byKind = (kind: string) => graph.nodes.find((node) => node.kind === kind)!;
    const task = 'rehearsal-app';
    expect(byKind('LogicalSubscriptionCreate').provides).toEqual([fact.replicationStarted(task)]);
    expect(byKind('LogicalSyncWait').provides).toEqual([fact.replicationFullLoadComplete(task)]);
    expect(byKind('LogicalSubscriptionDrop').provides).toEqual([fact.replicationStopped(task)]);
    expect(byKind('LogicalSubscriptionDrop').gate).toBe('cutover');
    expect(byKind('LogicalPublicationCreate').executor).toBe('source-sql');
    expect(byKind('LogicalPublicationCreate').input).toMatchObject({
      publication: 'pgferry_rehearsal_app',
      include: ['public.%'],
    });
    expect(byKind('LogicalSubscriptionCreate').input).toMatchObject({
      slot: 'pgferry_rehearsal_app',
      copyData: true,
      publisher: { host: '127.0.0.1', port: 5432, password: '@secret(env:PGFERRY_SOURCE_PASSWORD)' },
    });
    expect(byKind('CdcLagWait').input).toEqual({
      engine: 'logical',
      task,
      slot: 'pgferry_rehearsal_app',
      maxLagSeconds: 5,
    });
    expect(byKind('MarkerWait').input.slot).toBe('pgferry_rehearsal_app');
    for (const node of graph.nodes) expect(NODE_OUTPUTS[node.kind], node.kind).toBeDefined();
    const paths = result.artifacts.map((artifact) => artifact.path);
    expect(paths.filter((path) => path.startsWith('dms/'))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['graph.json', 'source/bundle.json', 'target/app/prepare.sql']));
  });

  it('a cdc task subscribes without copying and has no sync wait', async () => {
    const result = await compile((yaml) => yaml.replace('migration_type: full-load-and-cdc', 'migration_type: cdc'));
    expect(errors(result)).toEqual([]);
    const kinds = result.graph!.nodes.map((node) => node.kind);
    expect(kinds).not.toContain('LogicalSyncWait');
    const subscription = result.graph!.nodes.find((node) => node.kind === 'LogicalSubscriptionCreate')!;
    expect(subscription.input.copyData).toBe(false);
  });

  it('a full-load task subscribes after the downtime fence and drops the subscription behind the downtime gate', async () => {
    const result = await compile((yaml) =>
      yaml
        .replace('migration_type: full-load-and-cdc', 'migration_type: full-load')
        .replace('  databases: [app]', '  databases: [app]\n  settings:\n    wal_level: logical'),
    );
    expect(errors(result)).toEqual([]);
    const nodes = result.graph!.nodes;
    const subscription = nodes.find((node) => node.kind === 'LogicalSubscriptionCreate')!;
    expect(subscription.requires).toContain(fact.writesFenced('app'));
    expect(nodes.find((node) => node.kind === 'LogicalSubscriptionDrop')!.gate).toBe('downtime');
    expect(nodes.map((node) => node.kind)).not.toContain('CdcLagWait');
  });

  it('a full-load-only plan still sets wal_level=logical: the initial copy runs over a slot', async () => {
    const result = await compile((yaml) =>
      yaml.replace('migration_type: full-load-and-cdc', 'migration_type: full-load'),
    );
    expect(errors(result)).toEqual([]);
    const bundle = JSON.parse(result.artifacts.find((a) => a.path === 'source/bundle.json')!.content);
    expect(bundle.settings.wal_level).toBe('logical');
    expect(bundle.settings.max_replication_slots).toBeGreaterThanOrEqual(3);
  });

  it('%.% still compiles to a table list resolved at run time (FOR ALL TABLES would carry the marker)', async () => {
    const result = await compile((yaml) => yaml.replace('include: ["public.%"]', 'include: ["%.%"]'));
    const publication = result.graph!.nodes.find((node) => node.kind === 'LogicalPublicationCreate')!;
    expect(publication.input).toMatchObject({ include: ['%.%'], exclude: [] });
    expect(publication.input).not.toHaveProperty('allTables');
  });

  it('refuses a 9.x source (PGF4012)', async () => {
    const result = await compile((yaml) =>
      yaml.replace('version: "16.4"\n  databases', 'version: "9.6.24"\n  databases').replace('scram-sha-256', 'md5'),
    );
    expect(errors(result)).toContain('PGF4012');
    const finding = result.diagnostics.find((d) => d.code === 'PGF4012')!;
    expect(finding.message).toMatch(/PostgreSQL 10 or later/);
  });

  it('refuses a schema it would have to create (PGF4013)', async () => {
    const result = await compile((yaml) =>
      yaml.replace(
        '  fk_strategy: alter_system',
        '  fk_strategy: alter_system\n  schema_objects:\n    strategy: dms_creates',
      ),
    );
    expect(errors(result)).toContain('PGF4013');
  });
});

// The rehearsal plan's graph as a golden file (test/fixtures/logical/rehearsal/, which Biome leaves
// alone), like the DMS plans' goldens:
// `PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/logical/graph.test.ts` rewrites it.
describe('golden graph of the rehearsal plan', () => {
  it('graph.json and graph.mmd match', async () => {
    const result = await compile();
    const dir = join(import.meta.dirname, '..', 'fixtures', 'logical', 'rehearsal');
    for (const path of ['graph.json', 'graph.mmd']) {
      const content = result.artifacts.find((artifact) => artifact.path === path)!.content;
      if (process.env.PGFERRY_UPDATE_GOLDEN === '1') {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      expect(readFileSync(join(dir, path), 'utf8'), path).toBe(content);
    }
  });
});
