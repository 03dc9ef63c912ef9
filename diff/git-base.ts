// `--base <ref>`: the old version of a plan as git has it at a revision, found relative to the root of
// the repository that holds the plan (so it works from any working directory). The files the plan names
// (post_load_sql) are read from the same commit, so a change to one of them shows up in the diff.

import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { type PlanFileReader, workingTreeReader } from '../compiler/plan-files.js';

const run = promisify(execFile);

export class GitBaseError extends Error {}

type GitResult = { ok: true; stdout: Buffer } | { ok: false; stderr: string };

async function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  try {
    const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' });
    return { ok: true, stdout };
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new GitBaseError('git is not installed (needed for --base)');
    return { ok: false, stderr: Buffer.isBuffer(stderr) ? stderr.toString('utf8').trim() : String(error) };
  }
}

/** Where a plan lives in git: the repository root, the commit `ref` names and the plan's path in it. */
export interface RevisionLocation {
  readonly root: string;
  readonly commit: string;
  readonly inRepo: string;
}

/**
 * The plan's bytes at `ref` and where git keeps it, for reading the files it names from the same commit.
 * `planPath` is as the user typed it, relative to `cwd`.
 */
export async function planAtRevision(
  planPath: string,
  ref: string,
  cwd: string,
): Promise<{ content: Buffer; location: RevisionLocation }> {
  let absolute: string;
  try {
    absolute = await realpath(resolve(cwd, planPath));
  } catch {
    throw new GitBaseError(`${planPath}: no such file (the new side of --base is read from the working tree)`);
  }
  const top = await git(dirname(absolute), ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new GitBaseError(`${planPath} is not inside a git repository (needed for --base ${ref})`);
  const root = await realpath(top.stdout.toString('utf8').trim());
  const inRepo = toGitPath(relative(root, absolute));
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!commit.ok) throw new GitBaseError(`--base ${ref}: git knows no such revision in ${root}`);
  const sha = commit.stdout.toString('utf8').trim();
  const shown = await git(root, ['show', `${sha}:${inRepo}`]);
  if (!shown.ok) throw new GitBaseError(`${planPath} does not exist at ${ref} (looked for ${inRepo} in ${root})`);
  return { content: shown.stdout, location: { root, commit: sha, inRepo } };
}

function toGitPath(path: string): string {
  return path.split(sep).join('/');
}

/**
 * Reads the files a plan names from the plan's commit, relative to where the plan is in it. A path
 * that leaves the repository (absolute, or too many `..`) is not versioned: it is read from disk.
 */
export function revisionReader(location: RevisionLocation): PlanFileReader {
  const planDir = resolve(location.root, dirname(location.inRepo));
  const onDisk = workingTreeReader(planDir);
  return async (path) => {
    const inRepo = relative(location.root, resolve(planDir, path));
    if (inRepo === '' || inRepo.startsWith('..') || isAbsolute(inRepo)) return onDisk(path);
    const object = `${location.commit}:${toGitPath(inRepo)}`;
    const type = await git(location.root, ['cat-file', '-t', object]);
    if (!type.ok) return { kind: 'missing' };
    if (type.stdout.toString('utf8').trim() !== 'blob') return { kind: 'not a file' };
    const blob = await git(location.root, ['cat-file', 'blob', object]);
    return blob.ok ? { kind: 'file', content: blob.stdout } : { kind: 'missing' };
  };
}
