// Premigration assessment runs for the DMS stand-in (test/support/dms-state.ts answers these commands
// through it): StartReplicationTaskAssessmentRun, DescribeReplicationTaskAssessmentRuns and
// DescribeReplicationTaskIndividualAssessments, as AWS documents them:
//   run         starting → provisioning → running → passed | warning | failed (from its individual
//               results), or error-provisioning / error-executing (injected) — one step per Describe;
//   individual  pending while the run has not finished, then passed | warning | failed | error | skipped.
// Refusals: a running task (InvalidResourceStateFault), a name already used (ResourceAlreadyExistsFault),
// an unknown bucket (S3ResourceNotFoundFault), IncludeOnly with Exclude (InvalidParameterValueException).

type Json = Record<string, unknown>;

/** The individual assessments DMS recommends for a PostgreSQL source (a few of them). */
export const POSTGRES_ASSESSMENTS = [
  'postgres-check-maxslot-wal-keep-size',
  'postgres-check-replication-slots-count',
  'postgres-check-wallevel',
  'unsupported-data-types-in-source',
] as const;

export interface StateAssessmentRun {
  readonly arn: string;
  readonly name: string;
  readonly taskArn: string;
  status: string;
  readonly request: Json;
  readonly assessments: readonly string[];
  failure?: string;
}

/** What the stand-in needs from the DMS state it belongs to. */
export interface AssessmentHost {
  taskStatusByArn(arn: string): string | undefined;
  fault(code: string, message: string): Error;
}

const PROGRESS = ['starting', 'provisioning', 'running'];

export class AssessmentRuns {
  readonly runs = new Map<string, StateAssessmentRun>();
  /** Individual results other than passed, by assessment name. */
  readonly results = new Map<string, 'warning' | 'failed' | 'error' | 'skipped'>();
  /** Buckets that exist (any when empty). */
  readonly buckets = new Set<string>();
  /** The next run started ends in this status instead of finishing (error-provisioning, error-executing). */
  errorNext: string | null = null;
  #seq = 0;

  constructor(private readonly host: AssessmentHost) {}

  readonly commands: Record<string, (input: Json) => Json> = {
    StartReplicationTaskAssessmentRun: (input) => {
      const taskArn = String(input.ReplicationTaskArn);
      const status = this.host.taskStatusByArn(taskArn);
      if (status === undefined) throw this.host.fault('ResourceNotFoundFault', `Replication task ${taskArn} not found`);
      if (['running', 'starting', 'stopping', 'creating', 'deleting', 'modifying'].includes(status))
        throw this.host.fault('InvalidResourceStateFault', `Replication task is ${status}`);
      const name = String(input.AssessmentRunName);
      if ([...this.runs.values()].some((run) => run.name === name))
        throw this.host.fault('ResourceAlreadyExistsFault', `Assessment run ${name} already exists`);
      if (this.buckets.size > 0 && !this.buckets.has(String(input.ResultLocationBucket)))
        throw this.host.fault(
          'S3ResourceNotFoundFault',
          `The bucket ${String(input.ResultLocationBucket)} does not exist`,
        );
      const include = (input.IncludeOnly as string[] | undefined) ?? [];
      const exclude = (input.Exclude as string[] | undefined) ?? [];
      if (include.length > 0 && exclude.length > 0)
        throw this.host.fault('InvalidParameterValueException', 'IncludeOnly and Exclude cannot both be given');
      this.#seq += 1;
      const run: StateAssessmentRun = {
        arn: `arn:aws:dms:eu-west-1:123456789012:assessment-run:FAKERUN${String(this.#seq).padStart(4, '0')}`,
        name,
        taskArn,
        status: 'starting',
        request: { ...input },
        assessments: (include.length > 0 ? include : POSTGRES_ASSESSMENTS).filter((item) => !exclude.includes(item)),
      };
      if (this.errorNext !== null) {
        run.failure = this.errorNext;
        this.errorNext = null;
      }
      this.runs.set(run.arn, run);
      return { ReplicationTaskAssessmentRun: this.#view(run) };
    },
    DescribeReplicationTaskAssessmentRuns: (input) => {
      const filters = (input.Filters as { Name?: string; Values?: string[] }[] | undefined) ?? [];
      const value = (name: string) => filters.find((filter) => filter.Name === name)?.Values;
      const taskArns = value('replication-task-arn');
      const runArns = value('replication-task-assessment-run-arn');
      const found = [...this.runs.values()].filter(
        (run) => (!taskArns || taskArns.includes(run.taskArn)) && (!runArns || runArns.includes(run.arn)),
      );
      if (found.length === 0) throw this.host.fault('ResourceNotFoundFault', 'No assessment runs found');
      for (const run of found) this.#advance(run);
      return { ReplicationTaskAssessmentRuns: found.map((run) => this.#view(run)) };
    },
    DescribeReplicationTaskIndividualAssessments: (input) => {
      const filters = (input.Filters as { Name?: string; Values?: string[] }[] | undefined) ?? [];
      const runArns = filters.find((filter) => filter.Name === 'replication-task-assessment-run-arn')?.Values;
      const runs = [...this.runs.values()].filter((run) => !runArns || runArns.includes(run.arn));
      if (runs.length === 0) throw this.host.fault('ResourceNotFoundFault', 'No individual assessments found');
      return {
        ReplicationTaskIndividualAssessments: runs.flatMap((run) =>
          run.assessments.map((name, i) => ({
            ReplicationTaskIndividualAssessmentArn: `${run.arn}:individual:${i}`,
            ReplicationTaskAssessmentRunArn: run.arn,
            IndividualAssessmentName: name,
            Status: PROGRESS.includes(run.status) ? 'pending' : (this.results.get(name) ?? 'passed'),
          })),
        ),
      };
    },
  };

  #advance(run: StateAssessmentRun): void {
    const step = PROGRESS.indexOf(run.status);
    if (step < 0) return;
    if (step < PROGRESS.length - 1) {
      run.status = PROGRESS[step + 1]!;
      return;
    }
    if (run.failure !== undefined) {
      run.status = run.failure;
      return;
    }
    const outcomes = run.assessments.map((name) => this.results.get(name) ?? 'passed');
    run.status = outcomes.some((outcome) => outcome === 'failed' || outcome === 'error')
      ? 'failed'
      : outcomes.some((outcome) => outcome === 'warning') || outcomes.every((outcome) => outcome === 'skipped')
        ? 'warning'
        : 'passed';
  }

  #view(run: StateAssessmentRun) {
    return {
      ReplicationTaskAssessmentRunArn: run.arn,
      ReplicationTaskArn: run.taskArn,
      Status: run.status,
      AssessmentRunName: run.name,
      ServiceAccessRoleArn: run.request.ServiceAccessRoleArn as string,
      ResultLocationBucket: run.request.ResultLocationBucket as string,
      ResultLocationFolder: run.request.ResultLocationFolder as string | undefined,
      LastFailureMessage: run.failure === undefined ? undefined : `Assessment run ended ${run.failure}`,
    };
  }
}
