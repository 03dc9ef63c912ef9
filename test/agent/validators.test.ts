// The agent validates requests and its config with validators ajv compiled at build time, so a running
// agent loads no ajv compiler (agent/validators/). These files must match the schemas they come from,
// and the agent must refuse to start rather than serve a route whose schema has no validator.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiValidatorsSource, configValidatorSource, recordRouteSchemas } from '../../agent/validators/generate.js';
import { precompiledValidators, schemaKey } from '../../agent/validators/precompiled.js';
import { expectGeneratedModule } from '../support/generated-file.js';

const root = join(import.meta.dirname, '..', '..');

const GENERATED = [
  ['agent/validators/api.generated', apiValidatorsSource],
  ['agent/validators/config.generated', async () => configValidatorSource()],
] as const;

describe('precompiled agent validators', () => {
  it.each(GENERATED)('%s.js and .d.ts are generated from the current schemas', async (name, source) => {
    expectGeneratedModule(name, await source(), 'PGFERRY_UPDATE_GOLDEN=1 npx vitest run test/agent/validators.test.ts');
  });

  it('every request schema the routes register has one, and a schema without one is refused by name', async () => {
    const schemas = await recordRouteSchemas();
    expect(schemas.size).toBeGreaterThan(10);
    const compile = precompiledValidators({}, {});
    for (const schema of schemas.values()) {
      expect(typeof compile({ schema, method: 'GET', url: '/x', httpPart: 'body' })).toBe('function');
    }
    const unknown = { type: 'object', properties: { nobodyRegisteredThis: { type: 'string' } } };
    expect(() => compile({ schema: unknown, method: 'POST', url: '/v1/new', httpPart: 'body' })).toThrow(
      /no precompiled validator for the body of POST \/v1\/new: agent\/validators\/api\.generated\.js is stale/,
    );
    expect(schemas.has(schemaKey(unknown))).toBe(false);
  });
});

/**
 * The compiler modules loaded in a fresh Node process over the built dist/ (what pgferry-agent runs):
 * `agentApp` parses a config and builds the agent's app; otherwise a bare fastify app with one schema.
 */
function compilersLoaded(agentApp: boolean): string[] {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', path)).href);
  const build = agentApp
    ? `const { parseConfig } = await import(${dist('agent/config/load-config.js')});
       const { buildApp } = await import(${dist('agent/server.js')});
       const config = parseConfig('tokens: [{ id: t, scopes: [read], secret: { env: T } }]\\npostgres: { host: /tmp }\\nstateDir: /nonexistent\\n', 'agent.yaml');
       app = buildApp({ config });`
    : `const { default: Fastify } = await import('fastify');
       app = Fastify();
       app.post('/x', { schema: { body: { type: 'object' } } }, async () => 'ok');`;
  const code = `
import { createRequire } from 'node:module';
let app;
${build}
await app.ready();
await app.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify(loaded.filter((file) => /node_modules\\/(ajv|@fastify\\/ajv-compiler|fast-json-stringify)\\/(dist\\/ajv|dist\\/core|index)\\.js$/.test(file))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as string[]).map((file) =>
    file.slice(file.indexOf('node_modules')),
  );
}

describe('an agent at start-up', () => {
  it('loads no ajv compiler and no fast-json-stringify', () => {
    expect(compilersLoaded(true)).toEqual([]);
  });

  it('the probe sees what it must: fastify left to its defaults loads all three', () => {
    expect(compilersLoaded(false)).toEqual(
      expect.arrayContaining([
        'node_modules/ajv/dist/ajv.js',
        'node_modules/@fastify/ajv-compiler/index.js',
        'node_modules/fast-json-stringify/index.js',
      ]),
    );
  });
});
