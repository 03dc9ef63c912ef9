// Bearer tokens with scopes. Tokens are held only as SHA-256 digests and compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ConfigError } from './config/load-config.js';
import type { Scope, TokenConfig } from './config/types.js';
import { AgentError } from './errors.js';
import type { SecretResolver } from './secrets.js';

export interface Principal {
  readonly tokenId: string;
  readonly scopes: ReadonlySet<Scope>;
}

export interface TokenTable {
  authenticate(header: string | undefined): Principal;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A token file must be the agent user's own and unreadable by group and others: anyone else who can read
 * it can act as the agent. Returns the problem, or null.
 */
export async function tokenFileProblem(path: string, uid = process.getuid?.()): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (info === null) return null; // the resolver says it cannot be read
  if (uid !== undefined && info.uid !== uid) {
    return `token file ${path} is owned by uid ${info.uid}, not by the agent's user (uid ${uid}); chown it to the agent's user`;
  }
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    return `token file ${path} has mode ${mode}: group or others can read it; chmod 0400 ${path}`;
  }
  return null;
}

/** Loads every token; all problems are reported at once, each located in the config file. */
export async function loadTokens(
  tokens: readonly TokenConfig[],
  secrets: SecretResolver,
  locate: (pointer: string) => string = (pointer) => pointer,
): Promise<TokenTable> {
  const problems: string[] = [];
  const entries = await Promise.all(
    tokens.map(async (token, i) => {
      const where = locate(`/tokens/${i}/secret`);
      if ('file' in token.secret) {
        const problem = await tokenFileProblem(token.secret.file);
        if (problem) return void problems.push(`${where}: ${problem}`);
      }
      let value: string;
      try {
        value = await secrets.resolve(token.secret, `token '${token.id}'`);
      } catch (error) {
        return void problems.push(`${where}: ${(error as Error).message}`);
      }
      if (value.length < 16) return void problems.push(`${where}: token '${token.id}' is shorter than 16 characters`);
      return { id: token.id, scopes: new Set(token.scopes), hash: digest(value) };
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const loaded = entries.filter((e) => e !== undefined);
  return {
    authenticate(header) {
      const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? '');
      if (!match) throw new AgentError('UNAUTHORIZED', 'missing or malformed bearer token');
      const presented = digest(match[1]!);
      // Compare against every entry so timing does not reveal which token id matched.
      let found: (typeof loaded)[number] | undefined;
      for (const entry of loaded) if (timingSafeEqual(entry.hash, presented)) found = entry;
      if (!found) throw new AgentError('UNAUTHORIZED', 'invalid bearer token');
      return { tokenId: found.id, scopes: found.scopes };
    },
  };
}

export function requireScopes(principal: Principal, needed: readonly Scope[]): void {
  const missing = needed.filter((scope) => !principal.scopes.has(scope));
  if (missing.length > 0) {
    throw new AgentError('SCOPE_MISSING', `token '${principal.tokenId}' lacks scope ${missing.join(', ')}`, {
      details: missing.map((scope) => ({ scope })),
    });
  }
}

/**
 * Tokens a superuser of the cluster can read: the migration user is one (DMS needs it for CDC), and
 * pg_read_file reads any file the postgres OS user can, the agent's environment (/proc/<pid>/environ)
 * included when the agent runs as postgres. SSM and Secrets Manager keep the token out of its reach.
 */
export function tokenExposureWarnings(tokens: readonly TokenConfig[]): string[] {
  return tokens
    .filter((token) => 'file' in token.secret || 'env' in token.secret)
    .map(
      (token) =>
        `token '${token.id}' comes from ${'file' in token.secret ? `the file ${token.secret.file}` : `the environment (${(token.secret as { env: string }).env})`}: a database superuser (the migration user is one) can read it with pg_read_file when the agent runs as the postgres OS user; keep tokens in SSM (docs/agent.md, Secrets)`,
    );
}
