// Secrets Manager references in the executor: plain and JSON secrets (RDS/DMS `password` format),
// `#field`, one read per secret per run, redaction, errors that name the secret and never a value,
// throttling retried; end to end through a DMS endpoint request and the journal.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlanArgs, sessionOptions } from '../../cli/executor-command.js';
import type { SecretRef } from '../../contracts/secret-ref.js';
import { applyGraph } from '../../executor/operations.js';
import { Redactor } from '../../executor/redact.js';
import { SecretResolver } from '../../executor/secrets.js';
import { Session } from '../../executor/session.js';
import { secretsManagerClients } from '../../secrets/secrets-manager.js';
import { DmsFake } from '../support/dms-fake.js';
import { assemble, node } from './support/graph.js';
import { secretsManagerFake, serviceError } from './support/secrets-manager-fake.js';

const SECRETS = {
  'pgferry/plain': 'plain-S3CRET-1111',
  'pgferry/rds': JSON.stringify({
    engine: 'postgres',
    host: 'db.internal',
    password: 'rds-S3CRET-2222',
    port: 5432,
    username: 'shop_admin',
  }),
  'pgferry/json-no-password': '{"token":"tok-S3CRET-3333"}',
  'pgferry/not-json': '{not json S3CRET-4444',
};
const VALUES = ['plain-S3CRET-1111', 'rds-S3CRET-2222', 'tok-S3CRET-3333', 'S3CRET-4444'];

let fake: ReturnType<typeof secretsManagerFake>;
let sleeps: number[];
let redactor: Redactor;

beforeEach(() => {
  fake = secretsManagerFake(SECRETS);
  sleeps = [];
  redactor = new Redactor();
});
afterEach(() => fake.restore());

function resolver(): SecretResolver {
  const clients = secretsManagerClients({ region: 'eu-central-1' });
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  return new SecretResolver(new SSMClient({ region: 'eu-central-1' }), redactor, sleep, {}, clients);
}

const sm = (secretsManager: string): SecretRef => ({ secretsManager });

describe('Secrets Manager resolution', () => {
  it.each([
    ['a plain SecretString, whole', 'pgferry/plain', 'plain-S3CRET-1111'],
    ['a JSON secret with password: the password', 'pgferry/rds', 'rds-S3CRET-2222'],
    ['a JSON secret without password: the whole string', 'pgferry/json-no-password', '{"token":"tok-S3CRET-3333"}'],
    ['text that only looks like JSON: the whole string', 'pgferry/not-json', '{not json S3CRET-4444'],
    ['#field: that field', 'pgferry/rds#username', 'shop_admin'],
    ['#field with a number: as text', 'pgferry/rds#port', '5432'],
    ['#field on a JSON secret without password', 'pgferry/json-no-password#token', 'tok-S3CRET-3333'],
  ])('%s', async (_, reference, expected) => {
    expect(await resolver().get(sm(reference))).toBe(expected);
    expect(fake.reads).toEqual([reference.split('#')[0]]);
  });

  it('registers what it resolved with the redactor', async () => {
    const secrets = resolver();
    await secrets.get(sm('pgferry/rds'));
    await secrets.get(sm('pgferry/plain'));
    expect(redactor.redact('login as shop_admin with rds-S3CRET-2222 / plain-S3CRET-1111 failed')).toBe(
      'login as shop_admin with *** / *** failed',
    );
  });

  it('reads each secret once per run, also for concurrent uses and several fields', async () => {
    const secrets = resolver();
    const values = await Promise.all([
      secrets.get(sm('pgferry/rds')),
      secrets.get(sm('pgferry/rds')),
      secrets.get(sm('pgferry/rds#username')),
    ]);
    await secrets.get(sm('pgferry/rds'));
    expect(values).toEqual(['rds-S3CRET-2222', 'rds-S3CRET-2222', 'shop_admin']);
    expect(fake.reads).toEqual(['pgferry/rds']);
  });

  it('retries throttling with backoff, then reads', async () => {
    fake.failNext(serviceError('ThrottlingException'), serviceError('ThrottlingException'));
    expect(await resolver().get(sm('pgferry/plain'))).toBe('plain-S3CRET-1111');
    expect(sleeps).toEqual([200, 400]);
    expect(fake.reads).toHaveLength(3);
  });

  it('forgets a failed read, so a later use tries again', async () => {
    const secrets = resolver();
    fake.failNext(serviceError('AccessDeniedException'));
    await expect(secrets.get(sm('pgferry/plain'))).rejects.toThrow(/AccessDeniedException/);
    expect(await secrets.get(sm('pgferry/plain'))).toBe('plain-S3CRET-1111');
  });

  it.each([
    [
      'not found',
      null,
      'pgferry/nope',
      'secret secretsManager:pgferry/nope was not found: check the name or ARN and the region (region eu-central-1) (ResourceNotFoundException)',
    ],
    [
      'access denied',
      'AccessDeniedException',
      'pgferry/plain',
      'secret secretsManager:pgferry/plain is not readable: the credentials need secretsmanager:GetSecretValue on it (AccessDeniedException)',
    ],
    [
      'KMS refuses',
      'DecryptionFailure',
      'pgferry/plain',
      "secret secretsManager:pgferry/plain could not be decrypted: the credentials need kms:Decrypt on the secret's KMS key (DecryptionFailure)",
    ],
    [
      'scheduled for deletion',
      'InvalidRequestException',
      'pgferry/plain',
      'secret secretsManager:pgferry/plain was refused: it may be scheduled for deletion (InvalidRequestException)',
    ],
    [
      'anything else',
      'InternalServiceError',
      'pgferry/plain',
      'secret secretsManager:pgferry/plain could not be read (InternalServiceError)',
    ],
    [
      'a missing field',
      null,
      'pgferry/rds#pass',
      "secret secretsManager:pgferry/rds#pass: the secret has no string field 'pass' (fields: engine, host, password, port, username)",
    ],
    [
      'a field of a non-JSON secret',
      null,
      'pgferry/plain#password',
      "secret secretsManager:pgferry/plain#password: the secret is not a JSON object, so it has no field 'password'",
    ],
  ])('%s: the message names the secret, never a value', async (_, fault, reference, message) => {
    if (fault) fake.failNext(serviceError(fault, `the SDK says: value plain-S3CRET-1111`));
    const error = await resolver()
      .get(sm(reference))
      .then(
        () => null,
        (thrown: unknown) => thrown as Error,
      );
    expect(error?.message).toBe(message);
    for (const value of VALUES) expect(error?.message).not.toContain(value);
  });

  it("asks an ARN's own region; an explicit endpoint serves every region", async () => {
    const clients = secretsManagerClients({ region: 'eu-central-1' });
    const arn = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:pgferry/x-AbCdEf';
    expect(await clients(null).config.region()).toBe('eu-central-1');
    expect(await clients('us-east-2').config.region()).toBe('us-east-2');
    expect(clients('us-east-2')).toBe(clients('us-east-2'));
    await resolver()
      .get(sm(arn))
      .catch(() => undefined);
    expect(fake.reads).toEqual([arn]);
    const local = secretsManagerClients({ region: 'eu-central-1', endpoint: 'http://127.0.0.1:4566' });
    expect(await local('us-east-2').config.region()).toBe('eu-central-1');
  });
});

describe('--secretsmanager-endpoint', () => {
  const io = (env: Record<string, string>) => ({
    cwd: '/tmp',
    env,
    isTTY: false,
    stdout: () => undefined,
    stderr: () => undefined,
  });
  it.each([
    ['the flag', ['plan.yaml', '--secretsmanager-endpoint', 'http://127.0.0.1:4566'], {}, 'http://127.0.0.1:4566'],
    ['its environment twin', ['plan.yaml'], { PGFERRY_SECRETSMANAGER_ENDPOINT: 'http://sm.local' }, 'http://sm.local'],
    [
      'the flag over the twin',
      ['plan.yaml', '--secretsmanager-endpoint', 'http://a'],
      { PGFERRY_SECRETSMANAGER_ENDPOINT: 'http://b' },
      'http://a',
    ],
    ['neither', ['plan.yaml'], {}, undefined],
  ])('comes from %s', (_, args, env, expected) => {
    const options = sessionOptions(parsePlanArgs(args, io(env)), io(env), () => undefined);
    expect(options.secretsManagerEndpoint).toBe(expected);
  });
});

describe('Secrets Manager references in a run', () => {
  let dir: string;
  let dms: DmsFake;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgferry-secrets-'));
    dms = new DmsFake();
  });
  afterEach(async () => {
    dms.restore();
    await rm(dir, { recursive: true, force: true });
  });

  const endpoint = (id: string, secret: string) =>
    node({
      id: `dms.endpoint.${id}.create`,
      kind: 'DmsEndpointCreate',
      phase: 'prepare',
      input: {
        request: {
          EndpointIdentifier: id,
          EndpointType: 'source',
          EngineName: 'postgres',
          PostgreSQLSettings: { Password: `@secret(secretsManager:${secret})`, Username: 'dms' },
        },
      },
    });

  it('puts the value in the request only; the journal and the messages never see it', async () => {
    const session = await Session.open({
      cwd: dir,
      env: {},
      stateDir: dir,
      compiled: {
        graph: assemble('shop', [endpoint('good', 'pgferry/rds'), endpoint('bad', 'pgferry/rds#nope')]),
        artifacts: new Map(),
        plan: { name: 'shop' },
      },
      region: 'eu-central-1',
      sleep: async () => undefined,
      pollMs: 0,
    });
    const summary = await applyGraph(session, { phases: ['prepare'] });
    const create = dms.calls.find((call) => call.command === 'CreateEndpoint');
    expect(create?.input.PostgreSQLSettings).toEqual({ Password: 'rds-S3CRET-2222', Username: 'dms' });
    expect(summary.failed).toEqual([
      {
        id: 'dms.endpoint.bad.create',
        error:
          "secret secretsManager:pgferry/rds#nope: the secret has no string field 'nope' (fields: engine, host, password, port, username)",
      },
    ]);
    expect(fake.reads).toEqual(['pgferry/rds']);
    const files = await readdir(join(dir, 'shop'));
    const written = (await Promise.all(files.map((file) => readFile(join(dir, 'shop', file), 'utf8')))).join('\n');
    expect(written).toContain('dms.endpoint.good.create');
    for (const value of VALUES) expect(written).not.toContain(value);
  });
});
