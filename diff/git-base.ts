// `--base <ref>`: the old version of a plan as git has it at a revision, found relative to the root of
// the repository that holds the plan (so it works from any working directory).

import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';

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

/** The plan's bytes at `ref`. `planPath` is as the user typed it, relative to `cwd`. */
export async function readAtRevision(planPath: string, ref: string, cwd: string): Promise<Buffer> {
  let absolute: string;
  try {
    absolute = await realpath(resolve(cwd, planPath));
  } catch {
    throw new GitBaseError(`${planPath}: no such file (the new side of --base is read from the working tree)`);
  }
  const top = await git(dirname(absolute), ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new GitBaseError(`${planPath} is not inside a git repository (needed for --base ${ref})`);
  const root = await realpath(top.stdout.toString('utf8').trim());
  const inRepo = relative(root, absolute).split(sep).join('/');
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!commit.ok) throw new GitBaseError(`--base ${ref}: git knows no such revision in ${root}`);
  const shown = await git(root, ['show', `${commit.stdout.toString('utf8').trim()}:${inRepo}`]);
  if (!shown.ok) throw new GitBaseError(`${planPath} does not exist at ${ref} (looked for ${inRepo} in ${root})`);
  return shown.stdout;
}
