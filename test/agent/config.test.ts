// Agent config loading (located errors, defaults, refusals), token secrets from env, file and SSM
// (aws-sdk-client-mock, never real AWS), and the `pgferry agent` command in-process.

import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens } from '../../agent/auth.js';
import { ConfigError, parseConfig } from '../../agent/config/load-config.js';
import { createSecretResolver } from '../../agent/secrets.js';
import { command } from '../../cli/commands/agent.js';
import type { CliIo } from '../../cli/io.js';

const base = `tokens:
  - id: ops
    scopes: [read, apply]
    secret: { env: OPS_TOKEN }
postgres:
  host: /var/run/postgresql
stateDir: /var/lib/pgferry-agent
`;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'agent.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('fills in defaults', () => {
    const config = parseConfig(base, 'agent.yaml');
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 8443 },
      tls: null,
      postgres: { host: '/var/run/postgresql', port: 5432, user: 'postgres', database: 'postgres' },
      restart: null,
      slots: { dropPrefixes: ['dms_', 'pgferry_'] },
      limits: { bodyBytes: 262144 },
    });
  });

  it.each([
    ['an unknown key, at its line', `${base}restrat: {}\n`, "agent.yaml:8:1: /restrat: unknown key 'restrat'"],
    [
      'a misspelt scope',
      base.replace('[read, apply]', '[read, aply]'),
      'agent.yaml:3:20: /tokens/0/scopes/1: must be equal to one of the allowed values',
    ],
    [
      'no tokens',
      base.replace(/tokens:[\s\S]*?postgres:/, 'tokens: []\npostgres:'),
      'agent.yaml:1:9: /tokens: must NOT have fewer than 1 items: the agent refuses to run without a token; add one',
    ],
    [
      'a relative state dir',
      base.replace('/var/lib/pgferry-agent', 'state'),
      'agent.yaml:7:11: /stateDir: must match pattern "^/": give an absolute path',
    ],
    ['YAML syntax', 'tokens: [\n', 'agent.yaml:2:1:'],
    [
      'plain HTTP on a public address',
      `${base}listen: { host: 0.0.0.0 }\n`,
      'listen.host: 0.0.0.0 is not loopback and no tls is configured',
    ],
  ])('reports %s', (_name, text, expected) => {
    expect(problemsOf(text).join('\n')).toContain(expected);
  });
});

it('accepts the shipped sample config', async () => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'agent.example.yaml');
  const config = parseConfig(await readFile(file, 'utf8'), file);
  expect(config.tls?.clientCa).toBe('/etc/pgferry/tls/control-plane-ca.crt');
  expect(config.restart?.command[0]).toBe('sudo');
  expect(config.tokens.map((t) => t.id)).toEqual(['executor', 'prometheus', 'oncall']);
});

describe('token secrets', () => {
  it('resolves tokens from SSM through the SDK client, with decryption', async () => {
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand, { Name: '/pgferry/agent/ops', WithDecryption: true })
      .resolves({ Parameter: { Value: 'ssm-token-0123456789abcdef' } });
    const resolver = createSecretResolver({ region: 'eu-west-1' }, {}, new SSMClient({ region: 'eu-west-1' }));
    const table = await loadTokens([{ id: 'ops', scopes: ['read'], secret: { ssm: '/pgferry/agent/ops' } }], resolver);
    expect(table.authenticate('Bearer ssm-token-0123456789abcdef')).toMatchObject({ tokenId: 'ops' });
    expect(() => table.authenticate('Bearer ssm-token-0123456789abcdeX')).toThrow(/invalid bearer token/);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    ssm.restore();
  });

  it('resolves a Secrets Manager reference: the password key of a JSON secret, or a named field', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'pgferry/shop/source/dms_cdc' }).resolves({
      SecretString: JSON.stringify({ username: 'dms_cdc', password: 'sm-password-0123456789', port: 5432 }),
    });
    const resolver = createSecretResolver({ region: 'eu-west-1' }, {}, undefined, new SecretsManagerClient({}));
    await expect(resolver.resolve({ secretsManager: 'pgferry/shop/source/dms_cdc' }, 'role dms_cdc')).resolves.toBe(
      'sm-password-0123456789',
    );
    await expect(resolver.resolve({ secretsManager: 'pgferry/shop/source/dms_cdc#username' }, 'x')).resolves.toBe(
      'dms_cdc',
    );
    sm.on(GetSecretValueCommand, { SecretId: 'missing' }).rejects(
      Object.assign(new Error('Secrets Manager can not find the specified secret.'), {
        name: 'ResourceNotFoundException',
      }),
    );
    await expect(resolver.resolve({ secretsManager: 'missing' }, 'role dms_cdc')).rejects.toThrow(
      /cannot resolve the secret for role dms_cdc: secret secretsManager:missing was not found/,
    );
    sm.restore();
  });

  it('says which secret is missing, without its value', async () => {
    const resolver = createSecretResolver({}, {});
    await expect(loadTokens([{ id: 'ops', scopes: ['read'], secret: { env: 'NOPE' } }], resolver)).rejects.toThrow(
      "cannot resolve the secret for token 'ops': environment variable NOPE is not set",
    );
  });

  it('refuses short tokens', async () => {
    const resolver = createSecretResolver({}, { SHORT: 'abc' });
    await expect(loadTokens([{ id: 'ops', scopes: ['read'], secret: { env: 'SHORT' } }], resolver)).rejects.toThrow(
      /shorter than 16/,
    );
  });
});

describe('pgferry agent', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-agent-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function fakeIo(env: Record<string, string> = {}) {
    const out = { stdout: '', stderr: '' };
    const io: CliIo = {
      cwd: dir,
      env,
      isTTY: false,
      stdout: (t) => {
        out.stdout += t;
      },
      stderr: (t) => {
        out.stderr += t;
      },
    };
    return { io, out };
  }

  it('checks a good config (as root only when allowed)', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(file, `${base}allowRoot: true\n`);
    const { io, out } = fakeIo({ OPS_TOKEN: 'ops-token-0123456789abcdef' });
    expect(await command(['--config', file, '--check'], io)).toBe(0);
    expect(out.stdout).toBe('config ok: 1 token(s), listen 127.0.0.1:8443\n');
  });

  it('exits 2 with located problems for a bad config', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, `${base}restrat: {}\n`);
    const { io, out } = fakeIo();
    expect(await command(['--config', file, '--check'], io)).toBe(2);
    expect(out.stderr).toContain(`${file}:8:1: /restrat: unknown key 'restrat'`);
  });

  it('refuses to run as root unless told to', async () => {
    if (process.getuid?.() !== 0) return;
    const file = join(dir, 'root.yaml');
    await writeFile(file, base);
    const { io, out } = fakeIo({ OPS_TOKEN: 'ops-token-0123456789abcdef' });
    expect(await command(['--config', file, '--check'], io)).toBe(2);
    expect(out.stderr).toContain('refusing to run as root');
  });

  it('exits 2 with the located token for a short token', async () => {
    const file = join(dir, 'short.yaml');
    await writeFile(file, `${base}allowRoot: true\n`);
    const { io, out } = fakeIo({ OPS_TOKEN: 'short' });
    expect(await command(['--config', file, '--check'], io)).toBe(2);
    expect(out.stderr).toBe(
      `pgferry agent: invalid config:\n  ${file}:4:13: /tokens/0/secret: token 'ops' is shorter than 16 characters\n`,
    );
  });

  it.each([
    ['readable by group', 0o640, null, /has mode 0640: group or others can read it; chmod 0400/],
    ['readable by everyone', 0o644, null, /has mode 0644/],
    ['owned by another user', 0o400, 4242, /is owned by uid 4242, not by the agent's user/],
  ])('refuses a token file %s, at --check and at start-up', async (_what, mode, owner, message) => {
    if (owner !== null && process.getuid?.() !== 0) return; // chown needs root
    const tokenFile = join(dir, `token-${mode}-${owner}`);
    await writeFile(tokenFile, 'file-token-0123456789abcdef\n', { mode });
    await chmod(tokenFile, mode);
    if (owner !== null) await chown(tokenFile, owner, owner);
    const file = join(dir, `file-token-${mode}.yaml`);
    await writeFile(
      file,
      base.replace('secret: { env: OPS_TOKEN }', `secret: { file: ${tokenFile} }`) + 'allowRoot: true\n',
    );
    for (const args of [
      ['--config', file, '--check'],
      ['--config', file],
    ]) {
      const { io, out } = fakeIo();
      expect(await command(args, io)).toBe(2);
      expect(out.stderr).toContain(`${file}:4:13: /tokens/0/secret: token file ${tokenFile} `);
      expect(out.stderr).toMatch(message);
    }
  });

  it('accepts a 0400 token file of its own user, and warns that a superuser can read it', async () => {
    const tokenFile = join(dir, 'token-ok');
    await writeFile(tokenFile, 'file-token-0123456789abcdef\n', { mode: 0o400 });
    const file = join(dir, 'file-token-ok.yaml');
    await writeFile(
      file,
      base.replace('secret: { env: OPS_TOKEN }', `secret: { file: ${tokenFile} }`) + 'allowRoot: true\n',
    );
    const { io, out } = fakeIo();
    expect(await command(['--config', file, '--check'], io)).toBe(0);
    expect(out.stderr).toContain(`token 'ops' comes from the file ${tokenFile}: a database superuser`);
    expect(out.stderr).toContain('pg_read_file');
  });

  it('refuses a state directory that group or others can enter, with its location', async () => {
    const stateDir = join(dir, 'state-open');
    await mkdir(stateDir, { mode: 0o755 });
    await chmod(stateDir, 0o755);
    const file = join(dir, 'open-state.yaml');
    await writeFile(file, base.replace('/var/lib/pgferry-agent', stateDir) + 'allowRoot: true\n');
    const { io, out } = fakeIo({ OPS_TOKEN: 'ops-token-0123456789abcdef' });
    expect(await command(['--config', file, '--check'], io)).toBe(2);
    expect(out.stderr).toContain(`${file}:7:11: /stateDir: state directory ${stateDir} has mode 0755`);
    expect(out.stderr).toContain(`chmod 0700 ${stateDir}`);
  });

  it('needs --config', async () => {
    const { io, out } = fakeIo();
    expect(await command([], io)).toBe(2);
    expect(out.stderr).toContain('--config is required');
  });
});
