// A task's premigration assessment run (plan key dms.assessment): found by the task and the run's name
// first, so a resumed apply adopts the run it started (its ARN is also in the journal as soon as DMS
// answers); started otherwise; waited for; its individual results read and gated on. A failed
// individual assessment, or a run in error, fails the node and so keeps the task from starting.

import {
  DescribeReplicationTaskAssessmentRunsCommand,
  DescribeReplicationTaskIndividualAssessmentsCommand,
  type ReplicationTaskAssessmentRun,
  type ReplicationTaskIndividualAssessment,
  StartReplicationTaskAssessmentRunCommand,
  type StartReplicationTaskAssessmentRunCommandInput,
} from '@aws-sdk/client-database-migration-service';
import { compareText } from '../../contracts/compare.js';
import type { GraphNode } from '../../contracts/graph.js';
import { type Input, optionalRecord, requireString } from '../inputs.js';
import { NodeFailure, type NodeResult, type RunContext } from '../types.js';
import { DmsOps, isAlreadyExists } from './ops.js';

/** Run statuses after which nothing changes any more (AWS: ReplicationTaskAssessmentRun.Status). */
const DONE = new Set([
  'passed',
  'warning',
  'failed',
  'error-provisioning',
  'error-executing',
  'cancelling',
  'deleting',
  'invalid state',
]);

async function findRun(dms: DmsOps, taskArn: string, name: string): Promise<ReplicationTaskAssessmentRun | null> {
  const runs = await dms.describeAll<ReplicationTaskAssessmentRun>(
    'ReplicationTaskAssessmentRuns',
    (Marker) =>
      new DescribeReplicationTaskAssessmentRunsCommand({
        Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }],
        Marker,
      }),
  );
  return runs.find((run) => run.AssessmentRunName === name) ?? null;
}

function where(request: StartReplicationTaskAssessmentRunCommandInput): string {
  const folder = request.ResultLocationFolder ? `${request.ResultLocationFolder.replace(/\/$/, '')}/` : '';
  return `s3://${request.ResultLocationBucket}/${folder}`;
}

const names = (items: readonly ReplicationTaskIndividualAssessment[], status: string) =>
  items
    .filter((item) => item.Status === status)
    .map((item) => item.IndividualAssessmentName ?? '?')
    .sort(compareText);

export async function assessmentRun(node: GraphNode, input: Input, ctx: RunContext): Promise<NodeResult> {
  const task = requireString(node, input, 'task');
  const request = optionalRecord(input, 'request') as StartReplicationTaskAssessmentRunCommandInput | undefined;
  if (!request?.ReplicationTaskArn || !request.AssessmentRunName)
    throw new NodeFailure(`node ${node.id}: input needs the StartReplicationTaskAssessmentRun request`);
  const name = request.AssessmentRunName;
  const dms = new DmsOps({ client: ctx.dms, sleep: ctx.sleep, pollMs: ctx.pollMs, maxPolls: ctx.maxPolls });
  let run = await findRun(dms, request.ReplicationTaskArn, name);
  let adopted = run !== null;
  if (!run) {
    try {
      const answer = await dms.send<{ ReplicationTaskAssessmentRun?: ReplicationTaskAssessmentRun }>(
        new StartReplicationTaskAssessmentRunCommand(request),
      );
      run = answer.ReplicationTaskAssessmentRun ?? null;
    } catch (error) {
      if (!isAlreadyExists(error)) throw explain(error, task, request);
      adopted = true;
      run = await findRun(dms, request.ReplicationTaskArn, name);
    }
    if (!run?.ReplicationTaskAssessmentRunArn)
      throw new NodeFailure(`task ${task}: assessment run ${name} started but DMS does not list it`);
  }
  const runArn = run.ReplicationTaskAssessmentRunArn!;
  await ctx.recordOutputs({ runArn, runName: name });
  for (let poll = 0; !DONE.has(run.Status ?? ''); poll += 1) {
    if (poll >= ctx.maxPolls)
      throw new NodeFailure(`task ${task}: assessment run ${name} still ${run.Status} after ${ctx.maxPolls} polls`);
    ctx.log(`assessment ${name}: ${run.Status}`);
    await ctx.sleep(ctx.pollMs);
    run = (await findRun(dms, request.ReplicationTaskArn, name)) ?? run;
  }
  const status = run.Status!;
  const results = await dms.describeAll<ReplicationTaskIndividualAssessment>(
    'ReplicationTaskIndividualAssessments',
    (Marker) =>
      new DescribeReplicationTaskIndividualAssessmentsCommand({
        Filters: [{ Name: 'replication-task-assessment-run-arn', Values: [runArn] }],
        Marker,
      }),
  );
  const failed = [...names(results, 'failed'), ...names(results, 'error')];
  const warnings = names(results, 'warning');
  const again = `delete the run (aws dms delete-replication-task-assessment-run --replication-task-assessment-run-arn ${runArn}) and apply again, or exclude the assessment (dms.assessment.exclude)`;
  if (status === 'failed' || failed.length > 0)
    throw new NodeFailure(
      `task ${task}: premigration assessment ${name} failed: ${failed.join(', ') || '(no individual result)'}; ` +
        `the task does not start. Results: ${where(request)}. Fix the causes, then ${again}`,
    );
  if (status !== 'passed' && status !== 'warning')
    throw new NodeFailure(
      `task ${task}: premigration assessment ${name} ended ${status}${run.LastFailureMessage ? ` (${run.LastFailureMessage})` : ''}; ` +
        `the task does not start. ${again}`,
    );
  const passed = results.filter((item) => item.Status === 'passed').length;
  return {
    status: 'succeeded',
    outputs: { runArn, runName: name, status, failed: '', warnings: warnings.join(','), adopted },
    note:
      `assessment ${name} ${status}: ${passed} passed` +
      (warnings.length > 0 ? `, warnings: ${warnings.join(', ')} (results: ${where(request)})` : ''),
  };
}

/** DMS's refusals of StartReplicationTaskAssessmentRun, said with what to fix. */
function explain(error: unknown, task: string, request: StartReplicationTaskAssessmentRunCommandInput): Error {
  const name = (error as { name?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `task ${task}: cannot start the premigration assessment`;
  if (name === 'S3ResourceNotFoundFault')
    return new NodeFailure(`${prefix}: bucket ${request.ResultLocationBucket} not found (${message})`);
  if (name === 'S3AccessDeniedFault' || name === 'AccessDeniedFault')
    return new NodeFailure(
      `${prefix}: access denied (${message}); the role ${request.ServiceAccessRoleArn} needs s3:PutObject, s3:ListBucket and s3:GetBucketLocation on ${request.ResultLocationBucket}, and pgferry's identity dms:StartReplicationTaskAssessmentRun and iam:PassRole`,
    );
  if (name === 'KMSKeyNotAccessibleFault' || name.startsWith('KMS'))
    return new NodeFailure(`${prefix}: the KMS key ${request.ResultKmsKeyArn} cannot be used (${message})`);
  if (name === 'InvalidResourceStateFault')
    return new NodeFailure(`${prefix}: DMS refuses it in the task's state (${message})`);
  return error instanceof Error ? error : new Error(message);
}
