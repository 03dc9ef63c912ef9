// Bearer tokens with scopes. Tokens are held only as SHA-256 digests and compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
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

export async function loadTokens(tokens: readonly TokenConfig[], secrets: SecretResolver): Promise<TokenTable> {
  const entries = await Promise.all(
    tokens.map(async (token) => {
      const value = await secrets.resolve(token.secret, `token '${token.id}'`);
      if (value.length < 16) throw new Error(`token '${token.id}' is shorter than 16 characters`);
      return { id: token.id, scopes: new Set(token.scopes), hash: digest(value) };
    }),
  );
  return {
    authenticate(header) {
      const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? '');
      if (!match) throw new AgentError('UNAUTHORIZED', 'missing or malformed bearer token');
      const presented = digest(match[1]!);
      // Compare against every entry so timing does not reveal which token id matched.
      let found: (typeof entries)[number] | undefined;
      for (const entry of entries) if (timingSafeEqual(entry.hash, presented)) found = entry;
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
