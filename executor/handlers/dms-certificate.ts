// The target's CA certificate in DMS (target.ca_certificate.pem): imported once by identifier
// (DescribeCertificates first, so a re-run adopts it; another plan's is refused by its tag), its ARN
// the target endpoint's CertificateArn; deleted at cleanup once no endpoint names it.

import {
  type Certificate,
  DeleteCertificateCommand,
  DescribeCertificatesCommand,
  DescribeEndpointsCommand,
  ImportCertificateCommand,
} from '@aws-sdk/client-database-migration-service';
import type { GraphNode } from '../../contracts/graph.js';
import { deleteResource } from '../dms/delete.js';
import { type DmsOps, dmsOpsFor, isAlreadyExists } from '../dms/ops.js';
import { type Input, requireString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';

const ops = (ctx: RunContext) => dmsOpsFor(ctx);

async function certificate(dms: DmsOps, id: string): Promise<Certificate | null> {
  const all = await dms.describeAll<Certificate>(
    'Certificates',
    (Marker) => new DescribeCertificatesCommand({ Filters: [{ Name: 'certificate-id', Values: [id] }], Marker }),
  );
  return all.find((item) => item.CertificateIdentifier === id) ?? null;
}

export async function certificateImport(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = requireString(node, input, 'certificate');
  const existing = await certificate(dms, id);
  if (existing?.CertificateArn) {
    await dms.checkOwner(existing.CertificateArn, `certificate ${id}`, ctx.deployment.plan);
    return { status: 'succeeded', outputs: { arn: existing.CertificateArn, identifier: id, adopted: true } };
  }
  const path = requireString(node, input, 'pem');
  let pem: string;
  try {
    pem = await ctx.readPlanFile(path);
  } catch (error) {
    throw new NodeFailure(
      `certificate ${id}: cannot read ${path} (relative to the plan): ${ctx.redactor.messageOf(error)}`,
    );
  }
  try {
    await dms.send(
      new ImportCertificateCommand({
        CertificateIdentifier: id,
        CertificatePem: pem,
        Tags: [{ Key: 'pgferry:plan', Value: ctx.deployment.plan }],
      }),
    );
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const imported = await certificate(dms, id);
  if (!imported?.CertificateArn) throw new NodeFailure(`certificate ${id}: imported but not found on describe`);
  return { status: 'succeeded', outputs: { arn: imported.CertificateArn, identifier: id } };
}

export async function certificateDelete(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const dms = ops(ctx);
  const id = requireString(node, input, 'certificate');
  const deleted = await deleteResource(dms, {
    what: `certificate ${id}`,
    read: () => certificate(dms, id),
    // DMS deletes a certificate at once; it has no status of its own.
    status: () => 'imported',
    remove: (found) => dms.send(new DeleteCertificateCommand({ CertificateArn: found.CertificateArn! })),
    dependents: async (found) => {
      const endpoints = await dms.describeAll<{
        EndpointIdentifier?: string;
        CertificateArn?: string;
        Status?: string;
      }>('Endpoints', (Marker) => new DescribeEndpointsCommand({ Marker }));
      return endpoints
        .filter((item) => item.CertificateArn === found.CertificateArn)
        .map((item) => ({ name: `endpoint ${item.EndpointIdentifier}`, status: item.Status ?? '?' }));
    },
    settling: [],
  });
  return { status: 'succeeded', outputs: { deleted } };
}
