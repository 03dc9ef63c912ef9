// The journal: atomic writes, drift detection against a changed graph, and the run lock.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionGraph } from '../../../contracts/graph.js';
import {
  adoptGraph,
  graphDrift,
  newJournal,
  readJournal,
  removeStrayTemps,
  writeJournal,
} from '../../../executor/journal.js';
import { acquireLock, LockHeldError } from '../../../executor/lock.js';
import { cdcGraph } from '../support/graph.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-01-01T00:00:00Z');

describe('journal', () => {
  it('round-trips through an atomic write that leaves no temp file', async () => {
    const graph = cdcGraph();
    const journal = newJournal(graph, NOW);
    journal.nodes['source.preflight']!.state = 'succeeded';
    const file = join(dir, 'orders', 'journal.json');
    await writeJournal(file, journal);
    expect(await readJournal(file)).toEqual(journal);
    expect(await readdir(join(dir, 'orders'))).toEqual(['journal.json']);
    expect(await readFile(file, 'utf8')).toMatch(/\n$/);
  });

  it('removes the temp files a killed writer left, and nothing else', async () => {
    const file = join(dir, 'orders', 'journal.json');
    await writeJournal(file, newJournal(cdcGraph(), NOW));
    const before = await readFile(file, 'utf8');
    // A writer killed between write and rename: its temp file holds a torn journal.
    await writeFile(join(dir, 'orders', '.journal.4242.1767225600000.tmp'), '{"formatVersion": 1, "nod');
    await writeFile(join(dir, 'orders', '.journal.77.1767225600001.tmp'), '');
    await writeFile(join(dir, 'orders', 'notes.tmp'), 'kept');
    expect(await removeStrayTemps(file)).toEqual(['.journal.4242.1767225600000.tmp', '.journal.77.1767225600001.tmp']);
    expect((await readdir(join(dir, 'orders'))).sort()).toEqual(['journal.json', 'notes.tmp']);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await removeStrayTemps(join(dir, 'absent', 'journal.json'))).toEqual([]);
  });

  it('is absent before the first run', async () => {
    expect(await readJournal(join(dir, 'none.json'))).toBeNull();
  });

  it('names the file and what to do when it cannot read it', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"formatVersion": 1, "nodes": {');
    await expect(readJournal(broken)).rejects.toThrow(`${broken}: the journal is not valid JSON`);
    const future = join(dir, 'future.json');
    await writeFile(future, '{"formatVersion": 99}');
    await expect(readJournal(future)).rejects.toThrow(`${future}: journal format 99 is not 1; run the pgferry version`);
  });

  it('refuses a graph whose already-run nodes changed, naming them', () => {
    const graph = cdcGraph();
    const journal = newJournal(graph, NOW);
    journal.nodes['dms.task.orders-cdc.create']!.state = 'succeeded';
    const changed: ExecutionGraph = {
      ...graph,
      nodes: graph.nodes.map((node) =>
        node.id === 'dms.task.orders-cdc.create' || node.id === 'cutover.orders.sequences'
          ? { ...node, input: { ...node.input, changed: true } }
          : node,
      ),
    };
    expect(graphDrift(journal, changed)).toEqual({
      blocking: ['dms.task.orders-cdc.create'],
      harmless: ['cutover.orders.sequences'],
      modifiable: [],
      reasons: {
        'dms.task.orders-cdc.create':
          'input.changed changed, which DMS cannot modify in place: the replication task must be re-created (pgferry abort, then pgferry cleanup, or delete it, then apply with a fresh state directory)',
      },
    });
  });

  const withTaskRequest = (graph: ExecutionGraph, change: Record<string, unknown>): ExecutionGraph => ({
    ...graph,
    nodes: graph.nodes.map((node) =>
      node.id === 'dms.task.orders-cdc.create'
        ? {
            ...node,
            input: { ...node.input, request: { ...(node.input.request as Record<string, unknown>), ...change } },
          }
        : node,
    ),
  });

  it.each([
    [{ TableMappings: '{"rules":[]}' }, ['TableMappings']],
    [{ ReplicationTaskSettings: '{}', MigrationType: 'cdc' }, ['MigrationType', 'ReplicationTaskSettings']],
  ])('a task that ran and whose %j changed is modified in place, keeping its outputs', (change, fields) => {
    const graph = cdcGraph();
    const journal = newJournal(graph, NOW);
    const task = journal.nodes['dms.task.orders-cdc.create']!;
    task.state = 'succeeded';
    task.outputs = { arn: 'arn:aws:dms:eu-west-1:1:task:X' };
    const changed = withTaskRequest(graph, change);
    expect(graphDrift(journal, changed)).toMatchObject({
      blocking: [],
      modifiable: [{ id: 'dms.task.orders-cdc.create', fields }],
    });
    adoptGraph(journal, changed);
    const record = journal.nodes['dms.task.orders-cdc.create']!;
    expect(record).toMatchObject({ state: 'pending', modify: fields, outputs: task.outputs });
    expect(graphDrift(journal, changed)).toEqual({ blocking: [], harmless: [], modifiable: [], reasons: {} });
  });

  it.each(['SourceEndpointArn', 'TargetEndpointArn', 'ReplicationInstanceArn'])(
    'a task whose %s changed must be re-created',
    (field) => {
      const graph = cdcGraph();
      const journal = newJournal(graph, NOW);
      journal.nodes['dms.task.orders-cdc.create']!.state = 'succeeded';
      const drift = graphDrift(
        journal,
        withTaskRequest(graph, { [field]: '@ref(elsewhere#arn)', TableMappings: '{}' }),
      );
      expect(drift.blocking).toEqual(['dms.task.orders-cdc.create']);
      expect(drift.reasons['dms.task.orders-cdc.create']).toMatch(
        new RegExp(`^${field} changed, which DMS cannot modify in place: the replication task must be re-created`),
      );
    },
  );

  it('a journal without per-field hashes cannot tell, so the change blocks', () => {
    const graph = cdcGraph();
    const journal = newJournal(graph, NOW);
    const task = journal.nodes['dms.task.orders-cdc.create']!;
    task.state = 'succeeded';
    delete task.fields;
    const drift = graphDrift(journal, withTaskRequest(graph, { TableMappings: '{}' }));
    expect(drift.blocking).toEqual(['dms.task.orders-cdc.create']);
    expect(drift.reasons['dms.task.orders-cdc.create']).toContain('predates per-field tracking');
  });

  it('adopts a graph whose changes only touch nodes that have not run', () => {
    const graph = cdcGraph();
    const journal = newJournal(graph, NOW);
    journal.nodes['source.preflight']!.state = 'succeeded';
    const changed: ExecutionGraph = {
      ...graph,
      nodes: graph.nodes.map((node) => (node.id === 'cutover.orders.sequences' ? { ...node, title: 'new' } : node)),
    };
    expect(graphDrift(journal, changed).blocking).toEqual([]);
    adoptGraph(journal, changed);
    expect(journal.nodes['source.preflight']!.state).toBe('succeeded');
    expect(graphDrift(journal, changed)).toEqual({ blocking: [], harmless: [], modifiable: [], reasons: {} });
  });
});

describe('lock', () => {
  it('lets one run in and tells the second who holds it', async () => {
    const file = join(dir, 'journal.json.lock');
    const held = await acquireLock(file, NOW);
    await expect(acquireLock(file, NOW)).rejects.toThrow(LockHeldError);
    await expect(acquireLock(file, NOW)).rejects.toThrow(`pid ${process.pid} on ${hostname()}`);
    await held.release();
    const again = await acquireLock(file, NOW);
    await again.release();
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    const file = join(dir, 'journal.json.lock');
    await writeFile(file, JSON.stringify({ pid, host: hostname(), since: NOW.toISOString() }));
    const held = await acquireLock(file, NOW);
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await held.release();
  });

  it('does not take over a lock from another host', async () => {
    const file = join(dir, 'journal.json.lock');
    await writeFile(file, JSON.stringify({ pid: 1, host: 'elsewhere', since: NOW.toISOString() }));
    await expect(acquireLock(file, NOW)).rejects.toThrow('pid 1 on elsewhere');
  });
});
