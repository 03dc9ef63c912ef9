// The target's CA certificate through the DMS handler against the stateful fake: imported once from the
// plan's PEM (adopted on a re-run), named by the endpoint, deleted only once no endpoint names it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../contracts/graph.js';
import { handlers } from '../../../executor/handlers/index.js';
import { Session } from '../../../executor/session.js';
import { DmsFake } from '../../support/dms-fake.js';
import { assemble, node } from '../support/graph.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n';
let dir: string;
let fake: DmsFake;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgferry-cert-'));
  fake = new DmsFake();
});
afterEach(async () => {
  fake.restore();
  await rm(dir, { recursive: true, force: true });
});

const importNode = node({
  id: 'dms.certificate.orders-target-ca.import',
  kind: 'DmsCertificateImport',
  phase: 'prepare',
  input: { region: 'eu-west-1', certificate: 'orders-target-ca', pem: 'certs/ca.pem' },
  provides: ['cert'],
});
const endpointNode = node({
  id: 'dms.endpoint.tgt.create',
  kind: 'DmsEndpointCreate',
  phase: 'prepare',
  requires: ['cert'],
  input: {
    request: {
      EndpointIdentifier: 'tgt',
      EndpointType: 'target',
      EngineName: 'postgres',
      SslMode: 'verify-full',
      CertificateArn: '@ref(dms.certificate.orders-target-ca.import#arn)',
    },
  },
  provides: ['ep'],
});
const deleteEndpoint = node({
  id: 'dms.endpoint.tgt.delete',
  kind: 'DmsEndpointDelete',
  phase: 'cleanup',
  input: { endpoint: 'tgt' },
});
const deleteNode = node({
  id: 'dms.certificate.orders-target-ca.delete',
  kind: 'DmsCertificateDelete',
  phase: 'cleanup',
  input: { certificate: 'orders-target-ca' },
});

async function session() {
  return Session.open({
    cwd: dir,
    env: {},
    stateDir: dir,
    compiled: {
      graph: assemble('orders', [importNode, endpointNode, deleteEndpoint, deleteNode]),
      artifacts: new Map([['certs/ca.pem', PEM]]),
      plan: { name: 'orders' },
    },
    region: 'eu-west-1',
    sleep: async () => undefined,
    pollMs: 0,
    maxPolls: 20,
  });
}

async function run(s: Session, item: GraphNode) {
  const result = await handlers.dms.run(item, s.context(item));
  if (result.status === 'succeeded') s.journal.nodes[item.id]!.outputs = { ...result.outputs };
  return result;
}

describe('the target CA certificate', () => {
  it('imports the PEM once, the endpoint names it, and it is deleted only after the endpoint', async () => {
    const s = await session();
    const imported = await run(s, importNode);
    const arn = fake.certificates.get('orders-target-ca')?.arn;
    expect(imported).toMatchObject({ status: 'succeeded', outputs: { arn } });
    expect(fake.certificates.get('orders-target-ca')?.pem).toBe(PEM);
    expect(await run(s, importNode)).toMatchObject({ outputs: { arn, adopted: true } });
    expect(fake.created.get('ImportCertificate')).toBe(1);

    await run(s, endpointNode);
    expect(fake.endpoints.get('tgt')?.request.CertificateArn).toBe(arn);
    await expect(run(s, deleteNode)).rejects.toThrow(
      'certificate orders-target-ca: DMS refuses to delete it (Certificate orders-target-ca is used by endpoint tgt): still used by endpoint tgt (active), which this run does not delete',
    );
    await run(s, deleteEndpoint);
    expect(await run(s, deleteNode)).toMatchObject({ status: 'succeeded', outputs: { deleted: true } });
    expect(fake.certificates.size).toBe(0);
    expect(await run(s, deleteNode)).toMatchObject({ outputs: { deleted: false } });
  });
});
