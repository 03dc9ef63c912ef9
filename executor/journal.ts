// The durable record of a run, one per plan: `.pgferry/<plan>/journal.json`. Written atomically (temp
// file, fsync, rename, fsync of the directory) after every state change, so a crash leaves the old or
// the new journal, never a torn one. It holds references and outputs (ARNs, LSNs, slot names), never a
// secret value.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceFile, tempWriterPid } from '../contracts/atomic-file.js';
import { canonicalJson, hashJson } from '../contracts/canonical-json.js';
import { compareText } from '../contracts/compare.js';
import type { ExecutionGraph, GraphNode } from '../contracts/graph.js';
import { classifyChange, fieldHashes } from './dms/modifiable.js';

export const JOURNAL_FORMAT_VERSION = 1;

export type NodeState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting-gate';

export interface NodeRecord {
  state: NodeState;
  /** Hash of the node as compiled when it last ran; a change means the plan moved under it. */
  hash: string;
  outputs: Record<string, string | number | boolean | null>;
  attempts: number;
  error: string | null;
  note: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** A wait in progress: its latest observation and when it was seen (cleared when the node ends). */
  progress?: { at: string; line: string };
  /** DMS create nodes: a hash per input field, so a later plan change can be classified field by field. */
  fields?: Record<string, string>;
  /** DMS create nodes: fields changed by the plan since the resource was created, to modify in place. */
  modify?: string[];
}

export interface GateRecord {
  approvedAt: string;
  approvedBy: string;
}

export interface CompensationRecord {
  node: string;
  kind: string;
  result: string;
  at: string;
}

export interface Journal {
  formatVersion: typeof JOURNAL_FORMAT_VERSION;
  plan: string;
  planHash: string;
  graphHash: string;
  /**
   * Names this run in the idempotency keys sent to the agent: a retry within the run is answered from
   * the agent's cache, a new run (after abort, or from a new state directory) does the work again.
   * Journals written before it existed use their createdAt.
   */
  runId?: string;
  createdAt: string;
  updatedAt: string;
  nodes: Record<string, NodeRecord>;
  gates: Record<string, GateRecord>;
  compensations: CompensationRecord[];
  aborted: boolean;
}

/** The run a journal records (see Journal.runId). */
export function runIdOf(journal: Journal): string {
  return journal.runId ?? journal.createdAt;
}

function nodeHash(node: GraphNode): string {
  return hashJson(node);
}

export function graphHash(graph: ExecutionGraph): string {
  return hashJson(graph);
}

export function journalPath(stateDir: string, plan: string): string {
  return join(stateDir, plan, 'journal.json');
}

export function newJournal(graph: ExecutionGraph, now: Date): Journal {
  const nodes: Record<string, NodeRecord> = {};
  for (const node of graph.nodes) nodes[node.id] = blankRecord(node);
  return {
    formatVersion: JOURNAL_FORMAT_VERSION,
    plan: graph.plan,
    planHash: graph.planHash,
    graphHash: graphHash(graph),
    runId: `${now.toISOString()}.${randomBytes(4).toString('hex')}`,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    nodes,
    gates: {},
    compensations: [],
    aborted: false,
  };
}

function blankRecord(node: GraphNode): NodeRecord {
  const fields = fieldHashes(node);
  return {
    state: 'pending',
    hash: nodeHash(node),
    outputs: {},
    attempts: 0,
    error: null,
    note: null,
    startedAt: null,
    finishedAt: null,
    ...(fields ? { fields } : {}),
  };
}

export async function readJournal(file: string): Promise<Journal | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: Journal;
  try {
    parsed = JSON.parse(text) as Journal;
  } catch (error) {
    throw new Error(
      `${file}: the journal is not valid JSON (${(error as Error).message}); repair or restore it: ` +
        'it records what the plan already ran',
    );
  }
  if (parsed.formatVersion !== JOURNAL_FORMAT_VERSION) {
    throw new Error(
      `${file}: journal format ${String(parsed.formatVersion)} is not ${JOURNAL_FORMAT_VERSION}; ` +
        'run the pgferry version that wrote it',
    );
  }
  return parsed;
}

/** The temp file an older pgferry renamed over the journal: `.journal.<pid>.<ms>.tmp` next to it. */
const LEGACY_TEMP_NAME = /^\.journal\.(\d+)\.\d+\.tmp$/;

export async function writeJournal(file: string, journal: Journal): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await replaceFile(file, canonicalJson(journal));
}

/**
 * Removes the temp files a writer killed between writing and renaming left next to the journal. Call
 * it holding the run lock: then no other process writes this journal, and a temp file of another pid
 * can only be a leftover (the journal it was meant to become was never renamed into place, so the
 * journal itself is intact). Returns the names removed.
 */
export async function removeStrayTemps(file: string): Promise<string[]> {
  const dir = dirname(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stray = names.filter((name) => {
    // Only the journal's own temp files: verify's checkpoints live in the same directory.
    const legacy = LEGACY_TEMP_NAME.exec(name)?.[1];
    const own = name.startsWith(`.${basename(file)}.`);
    const pid = legacy !== undefined ? Number(legacy) : own ? tempWriterPid(name) : null;
    return pid !== null && pid !== process.pid;
  });
  for (const name of stray) await unlink(join(dir, name)).catch(() => undefined);
  return stray.sort(compareText);
}

export interface GraphDrift {
  /** Nodes whose compiled form changed (or that disappeared) and that already ran. */
  readonly blocking: readonly string[];
  /** Changed or new nodes that have not run; they simply run with the new definition. */
  readonly harmless: readonly string[];
  /** DMS resources that already exist and whose changes DMS applies in place (Modify*): they run again. */
  readonly modifiable: readonly { readonly id: string; readonly fields: readonly string[] }[];
  /** Why a blocking node cannot be modified in place, where that is known. */
  readonly reasons: Readonly<Record<string, string>>;
}

/** Compare a journal with the graph compiled now. */
export function graphDrift(journal: Journal, graph: ExecutionGraph): GraphDrift {
  const blocking: string[] = [];
  const harmless: string[] = [];
  const modifiable: { id: string; fields: string[] }[] = [];
  const reasons: Record<string, string> = {};
  const current = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const [id, record] of Object.entries(journal.nodes)) {
    const node = current.get(id);
    const ran = record.state !== 'pending';
    if (!node) {
      if (ran) blocking.push(id);
      continue;
    }
    if (nodeHash(node) === record.hash) continue;
    if (!ran) {
      harmless.push(id);
      continue;
    }
    const verdict = classifyChange(node, record.fields);
    if (verdict.modifiable) modifiable.push({ id, fields: [...verdict.fields] });
    else {
      blocking.push(id);
      if (verdict.reason !== '') reasons[id] = verdict.reason;
    }
  }
  for (const id of current.keys()) if (!(id in journal.nodes)) harmless.push(id);
  modifiable.sort((a, b) => compareText(a.id, b.id));
  return { blocking: blocking.sort(), harmless: harmless.sort(), modifiable, reasons };
}

/**
 * Bring a journal in line with a changed graph: unchanged nodes keep their record, DMS resources DMS
 * can modify in place run again with the changed fields to apply (outputs kept), anything else starts over.
 */
export function adoptGraph(journal: Journal, graph: ExecutionGraph): void {
  const drift = graphDrift(journal, graph);
  const modify = new Map(drift.modifiable.map((item) => [item.id, item.fields]));
  const nodes: Record<string, NodeRecord> = {};
  for (const node of graph.nodes) {
    const existing = journal.nodes[node.id];
    const fields = modify.get(node.id);
    if (existing && existing.hash === nodeHash(node)) {
      const hashes = fieldHashes(node);
      nodes[node.id] = existing.fields === undefined && hashes ? { ...existing, fields: hashes } : existing;
    } else if (existing && fields) {
      nodes[node.id] = {
        ...existing,
        state: 'pending',
        hash: nodeHash(node),
        fields: fieldHashes(node) ?? {},
        modify: [...new Set([...(existing.modify ?? []), ...fields])].sort(),
      };
    } else nodes[node.id] = blankRecord(node);
  }
  journal.nodes = nodes;
  journal.graphHash = graphHash(graph);
  journal.planHash = graph.planHash;
}
