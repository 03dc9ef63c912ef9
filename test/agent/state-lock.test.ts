// The state directory's operation lock and backup order, without PostgreSQL: a lock written whole (never
// empty or torn), holders that are gone, zombies or a recycled pid cleared; a live holder kept; backups
// taken in the same second ordered by their sequence, not by their random suffix.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateDir, staleLockReason } from '../../agent/state/state-dir.js';
import { processAlive, processStat } from '../../contracts/process.js';
import { until } from './support.js';

let root: string;
let state: StateDir;
const children: ChildProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pgferry-state-'));
  state = new StateDir(root);
  expect(await state.init()).toBe(null);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

const lockFile = () => join(root, 'lock');
const writeLock = (record: object) => writeFile(lockFile(), JSON.stringify(record));

/**
 * A zombie: a shell's child that exits after the shell exec'd into a process that never reaps it (the
 * child sleeps first, so the shell cannot reap it before its exec).
 */
async function zombie(): Promise<number> {
  const child = spawn('sh', ['-c', '(sleep 0.3; exit 0) & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  const pid = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
  await until(async () => processStat(pid)?.state === 'Z', `pid ${pid} to become a zombie`);
  return pid;
}

function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

describe('the operation lock', () => {
  it('is written whole, with the pid and its start time, and leaves no temp file', async () => {
    await state.acquire('op_1');
    const record = JSON.parse(await readFile(lockFile(), 'utf8'));
    expect(record).toMatchObject({
      pid: process.pid,
      startTime: processStat(process.pid)!.startTime,
      operationId: 'op_1',
    });
    expect((await readdir(root)).filter((n) => n.includes('.pgferry-'))).toEqual([]);
    await expect(new StateDir(root).acquire('op_2')).rejects.toMatchObject({ code: 'LOCKED' });
    await state.release();
    await new StateDir(root).acquire('op_3');
  });

  it('counts a zombie as dead although kill(pid, 0) succeeds on it', async () => {
    const pid = await zombie();
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(processAlive(pid)).toBe(false);
    await writeLock({ pid, startTime: processStat(pid)!.startTime, operationId: 'op_dead', at: 'x' });
    expect(staleLockReason(await readFile(lockFile(), 'utf8'))).toBe(`holder pid ${pid} is a zombie`);
    expect(await state.clearStaleLock()).toBe(`holder pid ${pid} is a zombie`);
    await state.acquire('op_new');
  });

  it('counts a recycled pid (same number, another start time) as dead', async () => {
    const pid = sleeper();
    await writeLock({ pid, startTime: '1', operationId: 'op_old', at: 'x' });
    expect(await state.clearStaleLock()).toBe(`pid ${pid} now names another process`);
    // The agent's own pid, recycled (pid 1 in a container restarted by its init).
    await writeLock({ pid: process.pid, startTime: '2', operationId: 'op_old', at: 'x' });
    await state.acquire('op_new');
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).operationId).toBe('op_new');
  });

  it.each([
    ['empty', '', 'empty lock file'],
    ['torn', '{"pid":12', 'unreadable lock file'],
  ])('clears an %s lock file at start-up', async (_kind, text, reason) => {
    await writeFile(lockFile(), text);
    expect(await state.clearStaleLock()).toBe(reason);
    expect(await state.clearStaleLock()).toBe(null);
  });

  it('keeps the lock of a live holder and refuses to start over it', async () => {
    const pid = sleeper();
    await until(async () => processStat(pid) !== null, 'sleep to start');
    await writeLock({ pid, startTime: processStat(pid)!.startTime, operationId: 'op_live', at: 'x' });
    await expect(state.clearStaleLock()).rejects.toThrow(`in use by a running agent (pid ${pid}, operation op_live)`);
    await expect(state.acquire('op_new')).rejects.toMatchObject({ code: 'LOCKED' });
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).operationId).toBe('op_live');
  });
});

describe('backups', () => {
  it('are ordered by sequence, several in the same second, and a bare rollback takes the last completed one', async () => {
    const file = join(root, 'hba.conf');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      await writeFile(file, `version ${i}\n`);
      const manifest = await state.backup(`op_${i}`, null, 160000, [{ role: 'hba', path: file }]);
      ids.push(manifest.backupId);
      if (i < 10) await state.recordAfter(manifest, { hba: `after ${i}` });
    }
    expect((await state.listBackups()).map((b) => b.backupId)).toEqual(ids);
    expect((await state.listBackups()).map((b) => b.seq)).toEqual(ids.map((_id, i) => i + 1));
    // op_10 and op_11 never completed (undone or still running): the last change is op_9.
    expect((await state.lastChangeBackup())?.operationId).toBe('op_9');
  });

  it('record what `applied` said, and put it back on restore', async () => {
    const file = join(root, 'hba.conf');
    await writeFile(file, 'x\n');
    const record = { bundleId: 'a', bundleHash: 'h', planHash: 'p', at: 't', operationId: 'op_a', slots: [] };
    const first = await state.backup('op_1', null, 160000, [{ role: 'hba', path: file }]);
    expect(first.appliedBefore).toBe(null);
    await state.writeApplied(record);
    const second = await state.backup('op_2', null, 160000, [{ role: 'hba', path: file }]);
    expect(second.appliedBefore).toEqual(record);
    await state.restoreApplied(first);
    expect(await state.readApplied()).toBe(null);
    await state.restoreApplied(second);
    expect(await state.readApplied()).toEqual(record);
  });
});
