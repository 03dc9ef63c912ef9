// Crash-safe writes keep the target's owner, mode and symlink, and leave no temp file behind; a temp
// file from an interrupted write is recognised and removed.

import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { atomicWrite, removeStaleTemps, tempPathFor } from '../../agent/state/atomic-write.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('replaces the real file behind a symlink and keeps the link, owner and mode', async () => {
  const real = join(dir, 'pg_hba.conf.real');
  const link = join(dir, 'pg_hba.conf');
  await writeFile(real, 'old\n');
  await chmod(real, 0o640);
  await symlink('pg_hba.conf.real', link);
  const before = await stat(real);
  await atomicWrite(link, 'new\n');
  expect((await lstat(link)).isSymbolicLink()).toBe(true);
  expect(await readlink(link)).toBe('pg_hba.conf.real');
  expect(await readFile(real, 'utf8')).toBe('new\n');
  const after = await stat(real);
  expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o640, before.uid, before.gid]);
  expect(await readdir(dir)).toEqual(['pg_hba.conf', 'pg_hba.conf.real']);
});

it('names temp files so include_dir never reads them, and removes stale ones', async () => {
  const target = join(dir, 'agent.conf');
  const temp = tempPathFor(target);
  expect(temp.startsWith(join(dir, '.'))).toBe(true);
  expect(temp.endsWith('.conf')).toBe(false);
  await writeFile(temp, 'half');
  await writeFile(join(dir, '.unrelated'), 'keep');
  expect(await removeStaleTemps(dir)).toHaveLength(1);
  expect(await readdir(dir)).toEqual(['.unrelated']);
});
