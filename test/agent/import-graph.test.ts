// The agent's start-up loads no compiler, no executor, no CLI command code and no AWS SDK: the SDK is
// imported only when the config names an SSM or Secrets Manager reference (agent/secrets.ts), and the
// compiler and executor never. Walks the static import graph of the agent's entries as the built
// JavaScript loads it (issue 11 items 4 and 7).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainTo, importsOf, staticClosure } from '../support/import-graph.js';

const root = join(import.meta.dirname, '..', '..');

/** What `pgferry-agent` runs: the CLI dispatcher, the agent command, and the agent modules it loads. */
function agentEntries(): string[] {
  const command = 'cli/commands/agent.ts';
  const loaded = importsOf(root, command)
    .filter((edge) => edge.dynamic && edge.to.startsWith('agent/'))
    .map((edge) => edge.to);
  return ['cli/main.ts', command, ...loaded];
}

const FORBIDDEN = [/^compiler\//, /^executor\//, /^@aws-sdk\//];

function forbiddenIn(closure: Map<string, unknown>, rules: readonly RegExp[]): string[] {
  return [...closure.keys()].filter((module) => rules.some((rule) => rule.test(module)));
}

function agentSources(dir = 'agent'): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? agentSources(`${dir}/${entry.name}`)
      : entry.name.endsWith('.ts')
        ? [`${dir}/${entry.name}`]
        : [],
  );
}

describe('agent import graph', () => {
  it('the walker sees what it must refuse: the executor reaches the AWS SDK, type imports are erased', () => {
    const executor = staticClosure(root, ['executor/secrets.ts']);
    expect(forbiddenIn(executor, FORBIDDEN)).toEqual(
      expect.arrayContaining(['executor/secrets.ts', '@aws-sdk/client-secrets-manager']),
    );
    // `import type` is erased: the agent's config types name the SDK clients without loading them.
    expect(staticClosure(root, ['agent/agent.ts']).has('agent/agent.ts')).toBe(true);
    expect(importsOf(root, 'agent/agent.ts').some((edge) => edge.to.startsWith('@aws-sdk/'))).toBe(false);
  });

  it('start-up loads no compiler/, executor/ or @aws-sdk/* module', () => {
    const entries = agentEntries();
    expect(entries).toEqual(expect.arrayContaining(['agent/agent.ts', 'agent/config/load-config.ts']));
    const closure = staticClosure(root, entries);
    const bad = forbiddenIn(closure, FORBIDDEN).map((module) => chainTo(closure, module));
    expect(bad).toEqual([]);
  });

  it('no agent module imports compiler/, executor/ or cli/, statically or dynamically', () => {
    const upward = agentSources()
      .flatMap((file) => importsOf(root, file))
      .filter((edge) => /^(compiler|executor|cli)\//.test(edge.to))
      .map((edge) => `${edge.from} → ${edge.to}${edge.dynamic ? ' (dynamic)' : ''}`);
    expect(upward).toEqual([]);
  });

  it('the AWS SDK is reached from the agent only through dynamic imports', () => {
    const closure = staticClosure(root, agentSources());
    expect(forbiddenIn(closure, [/^@aws-sdk\//]).map((module) => chainTo(closure, module))).toEqual([]);
    const lazy = agentSources()
      .flatMap((file) => importsOf(root, file))
      .filter((edge) => edge.dynamic)
      .map((edge) => edge.to);
    expect(lazy).toEqual(
      expect.arrayContaining(['@aws-sdk/client-ssm', 'secrets/ssm.ts', 'secrets/secrets-manager.ts']),
    );
  });

  it('pg is loaded through agent/pg/driver.ts only (which keeps its runtime probe from loading fetch)', () => {
    const direct = agentSources()
      .flatMap((file) => importsOf(root, file))
      .filter((edge) => edge.to === 'pg' && edge.from !== 'agent/pg/driver.ts')
      .map((edge) => edge.from);
    expect(direct).toEqual([]);
    expect(importsOf(root, 'agent/pg/driver.ts').map((edge) => edge.to)).toEqual(['agent/require-package.ts', 'pg']);
  });
});
