// mTLS: with a client CA configured, a client without a certificate from it fails the TLS handshake;
// with one, the bearer token is still required. Certificates are made with openssl for the test.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Agent, createAgent } from '../../agent/agent.js';
import { parseConfig } from '../../agent/config/load-config.js';
import { AgentError, httpAgentClient } from '../../executor/agent-client.js';
import { TOKENS } from './support.js';

let dir: string;
let agent: Agent;
let port: number;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-agent-tls-'));
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=pgferry test CA',
  ]);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const name of ['server', 'client']) {
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      ...(name === 'server' ? ['-extfile', 'san.ext'] : []),
    ]);
  }
  // PostgreSQL is not needed for these routes: the agent starts against an unreachable socket.
  const config = parseConfig(
    `tls: { cert: ${dir}/server.crt, key: ${dir}/server.key, clientCa: ${dir}/ca.crt }
tokens: [{ id: admin, scopes: [read, metrics], secret: { env: T_ADMIN } }]
postgres: { host: ${dir}/no-socket, connectTimeoutMs: 200 }
paths: { hbaFile: ${dir}/pg_hba.conf }
stateDir: ${dir}/state
`,
    'tls.yaml',
  );
  agent = await createAgent(config, { env: { T_ADMIN: TOKENS.admin } });
  const address = await agent.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
});

afterAll(async () => {
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

async function get(
  path: string,
  withCert: boolean,
  token?: string,
): Promise<{ status: number; body: string } | { error: string }> {
  const ca = await readFile(join(dir, 'ca.crt'));
  const cert = withCert
    ? { cert: await readFile(join(dir, 'client.crt')), key: await readFile(join(dir, 'client.key')) }
    : {};
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca, ...cert, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

it('refuses a client without a certificate at the TLS layer', async () => {
  const res = await get('/v1/health', false);
  expect(res).toHaveProperty('error');
});

it('serves a client with a certificate, and still needs the token', async () => {
  expect(await get('/v1/health', true)).toMatchObject({ status: 200 });
  expect(await get('/metrics', true)).toMatchObject({ status: 401 });
  const metrics = await get('/metrics', true, TOKENS.admin);
  expect(metrics).toMatchObject({ status: 200 });
  expect((metrics as { body: string }).body).toContain('pgferry_pg_up 0');
});

it('the executor presents its client certificate (--agent-cert/--agent-key); without one it says why it failed', async () => {
  const url = `https://127.0.0.1:${port}`;
  const ca = await readFile(join(dir, 'ca.crt'));
  const cert = await readFile(join(dir, 'client.crt'));
  const key = await readFile(join(dir, 'client.key'));
  const withCert = httpAgentClient(url, TOKENS.admin, { cert, key, ca });
  expect(await withCert.call('health')).toMatchObject({ status: 'ok' });

  const withoutCert = httpAgentClient(url, TOKENS.admin, { ca });
  const refused = await withoutCert.call('health').catch((error: Error) => error);
  expect(refused).toBeInstanceOf(AgentError);
  expect((refused as AgentError).message).toMatch(
    /unreachable .*certificate required.*; the agent requires a client certificate \(mTLS, its tls\.clientCa\): pass --agent-cert and --agent-key$/,
  );
});
