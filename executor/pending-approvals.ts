// Approvals given while another command holds the journal's lock: one small file per gate beside the
// journal (`<journal>.approvals/<gate>.json`, written atomically), taken into the journal's gates by the
// next command that loads the journal under the lock, then removed.

import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile } from '../contracts/atomic-file.js';
import type { GateRecord, Journal } from './journal.js';

const dirOf = (journalFile: string) => `${journalFile}.approvals`;

export async function writePendingApproval(journalFile: string, gate: string, approval: GateRecord): Promise<void> {
  const dir = dirOf(journalFile);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${encodeURIComponent(gate)}.json`);
  await replaceFile(file, `${JSON.stringify({ gate, ...approval })}\n`);
}

/**
 * Copies pending approvals into the journal; returns their files, which the caller removes once the
 * journal is saved (a crash in between leaves the approval to be taken in again, never lost).
 */
export async function takePendingApprovals(journalFile: string, journal: Journal): Promise<string[]> {
  const dir = dirOf(journalFile);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { gate?: unknown } & Partial<GateRecord>;
    if (typeof parsed.gate !== 'string') continue;
    journal.gates[parsed.gate] ??= { approvedAt: String(parsed.approvedAt), approvedBy: String(parsed.approvedBy) };
    files.push(file);
  }
  return files;
}

export async function removePendingApprovals(files: readonly string[]): Promise<void> {
  for (const file of files) await unlink(file).catch(() => undefined);
}
